#ifndef FACTOR_RISK_CLIBPQ_SHIM_H
#define FACTOR_RISK_CLIBPQ_SHIM_H
/* The include folder comes from pkg-config (libpq.pc), never hard-coded here. */
#include <libpq-fe.h>
#include <poll.h>
#endif
