#ifndef FACTOR_RISK_CLIBPQ_SHIM_H
#define FACTOR_RISK_CLIBPQ_SHIM_H
/* The include folder comes from pkg-config (libpq.pc), never hard-coded here. */
#include <libpq-fe.h>
#include <poll.h>
/* Linux epoll: waiting for many connections' sockets from one thread (SocketReadiness). */
#include <sys/epoll.h>
#endif
