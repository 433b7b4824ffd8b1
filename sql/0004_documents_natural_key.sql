-- documents: the natural key (tenant_id, doc_ref), by which every writer upserts, becomes the
-- primary key, and the surrogate document_id goes. Nothing refers to document_id; its index and
-- identity sequence cost a B-tree insert and a sequence step per row of every load.
ALTER TABLE documents DROP CONSTRAINT documents_pkey;
ALTER TABLE documents DROP COLUMN document_id;
ALTER TABLE documents DROP CONSTRAINT documents_tenant_id_doc_ref_key;
ALTER TABLE documents ADD CONSTRAINT documents_pkey PRIMARY KEY (tenant_id, doc_ref);
