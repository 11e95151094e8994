BEGIN TRANSACTION;
CREATE TABLE applied_ops (
	op_id VARCHAR(36) NOT NULL, 
	payload_hash VARCHAR(64) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	entity_id VARCHAR(64) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	result VARCHAR NOT NULL, 
	device_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	seq BIGINT NOT NULL, 
	applied_at VARCHAR NOT NULL, 
	PRIMARY KEY (op_id)
);
INSERT INTO "applied_ops" VALUES('dbeefbdf-3cfd-5dee-b896-72e9eab221d6','ad7f9a3f54d4f99aa3a2122f3384ac50b74c952d13b66f7e559dacce390c200c','worker.register','644e5115-dce0-5cb6-a25c-8da2b73e0ee4','applied','{"op_id":"dbeefbdf-3cfd-5dee-b896-72e9eab221d6","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000001","canonical_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"},"original_status":null}','server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde',1,'2026-11-29T19:10:21.231323+00:00');
INSERT INTO "applied_ops" VALUES('e3405d0f-dbca-5e92-aff8-16097427a7e8','f923b32fb74609598d26591b3e06978fb4e51c5a4f7305d432af28c73ab50e3b','worker.register','ee2f80bd-9225-5148-a8cd-8df1bc003a33','applied','{"op_id":"e3405d0f-dbca-5e92-aff8-16097427a7e8","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000002","canonical_id":"ee2f80bd-9225-5148-a8cd-8df1bc003a33"},"original_status":null}','server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde',2,'2026-11-29T19:10:21.266564+00:00');
INSERT INTO "applied_ops" VALUES('95040c47-b72c-5b50-9626-6730d890751b','55a9610acefefe5d0ad90d3cff76454eb1b3750ea65d0ee59fea00c16f19b44c','worker.register','583423f8-b31e-5704-81a0-a98a0d785701','applied','{"op_id":"95040c47-b72c-5b50-9626-6730d890751b","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000003","canonical_id":"583423f8-b31e-5704-81a0-a98a0d785701"},"original_status":null}','server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde',3,'2026-11-29T19:10:21.274231+00:00');
INSERT INTO "applied_ops" VALUES('f496fa9f-bf95-5688-a0ba-ae76f4d52627','7bb7082675286a9c882fbab1aecad3accf56951e1d48d6dd75b31c6a36773a15','payment.collect','fe293896-9690-5f74-9897-2b56bd6f511f','applied','{"op_id":"f496fa9f-bf95-5688-a0ba-ae76f4d52627","status":"applied","code":null,"message":null,"assigned":{"canonical_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"},"original_status":null}','server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde',4,'2026-11-29T19:10:21.280213+00:00');
CREATE TABLE changes (
	seq INTEGER NOT NULL, 
	entity VARCHAR(16) NOT NULL, 
	entity_id VARCHAR(64) NOT NULL, 
	op VARCHAR(8) NOT NULL, 
	scope_kecamatan VARCHAR(7) NOT NULL, 
	scope_kelurahan VARCHAR(11) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	PRIMARY KEY (seq)
);
INSERT INTO "changes" VALUES(2,'worker','ee2f80bd-9225-5148-a8cd-8df1bc003a33','upsert','7371100','73711001003','2026-11-29T19:10:21.266564+00:00');
INSERT INTO "changes" VALUES(3,'worker','583423f8-b31e-5704-81a0-a98a0d785701','upsert','7371100','73711001005','2026-11-29T19:10:21.274231+00:00');
INSERT INTO "changes" VALUES(4,'payment','fe293896-9690-5f74-9897-2b56bd6f511f','upsert','7371100','73711001001','2026-11-29T19:10:21.280213+00:00');
INSERT INTO "changes" VALUES(5,'worker','644e5115-dce0-5cb6-a25c-8da2b73e0ee4','upsert','7371100','73711001001','2026-11-29T19:10:21.280213+00:00');
CREATE TABLE counters (
	name VARCHAR(32) NOT NULL, 
	value BIGINT NOT NULL, 
	PRIMARY KEY (name)
);
INSERT INTO "counters" VALUES('kpj',3);
INSERT INTO "counters" VALUES('change',5);
CREATE TABLE deletion_requests (
	id INTEGER NOT NULL, 
	participant_id VARCHAR(64) NOT NULL, 
	reason VARCHAR NOT NULL, 
	requested_at VARCHAR NOT NULL, 
	requested_by VARCHAR(64) NOT NULL, 
	op_id VARCHAR(36) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE documents (
	op_id VARCHAR(36) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	entity_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	device_id VARCHAR(64) NOT NULL, 
	data VARCHAR NOT NULL, 
	received_at VARCHAR NOT NULL, 
	PRIMARY KEY (op_id)
);
CREATE TABLE enrollments (
	id VARCHAR(36) NOT NULL, 
	device_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR NOT NULL, 
	device_name VARCHAR(128) NOT NULL, 
	app_version VARCHAR(32) NOT NULL, 
	receipt_key VARCHAR(64) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	last_seen_at VARCHAR NOT NULL, 
	revoked_at VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (device_id, user_id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
INSERT INTO "enrollments" VALUES('b90208ad-ebb5-4e74-a390-a61ce2d98110','server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde','seed-demo','','978c930342b94f919c32f0358cc2cffc','2026-11-29T19:10:21.228864+00:00','2026-11-29T19:10:21.228882+00:00',NULL);
CREATE TABLE login_failures (
	id INTEGER NOT NULL, 
	"key" VARCHAR(128) NOT NULL, 
	at VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE participants (
	id VARCHAR(64) NOT NULL, 
	canonical_id VARCHAR(64) NOT NULL, 
	alias_of VARCHAR(64), 
	nik VARCHAR(16) NOT NULL, 
	full_name VARCHAR(128) NOT NULL, 
	name_key VARCHAR NOT NULL, 
	birth_date VARCHAR(10) NOT NULL, 
	kecamatan_code VARCHAR(7) NOT NULL, 
	kelurahan_code VARCHAR(11) NOT NULL, 
	scope_kecamatan VARCHAR(7) NOT NULL, 
	scope_kelurahan VARCHAR(11) NOT NULL, 
	kpj VARCHAR(11), 
	review_state VARCHAR(16) NOT NULL, 
	data VARCHAR NOT NULL, 
	registered_by_user VARCHAR(36) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	updated_at VARCHAR NOT NULL, 
	deleted_at VARCHAR, 
	PRIMARY KEY (id), 
	UNIQUE (kpj)
);
INSERT INTO "participants" VALUES('644e5115-dce0-5cb6-a25c-8da2b73e0ee4','644e5115-dce0-5cb6-a25c-8da2b73e0ee4',NULL,'7371101204850901','Daeng Sikki','daeng sikki','1985-04-12','7371100','73711001001','7371100','73711001001','00000000001','ok','{"address":"Jl. Daeng Tata No. 7","birth_date":"1985-04-12","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Daeng Sikki","heir_name":"Hasnah","heir_relation":"spouse","id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001001","nik":"7371101204850901","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"M"}','83df7b8a-f6b2-48a9-84e4-2e2881653dde','2026-11-29T19:10:21.231323+00:00','2026-11-29T19:10:21.231323+00:00',NULL);
INSERT INTO "participants" VALUES('ee2f80bd-9225-5148-a8cd-8df1bc003a33','ee2f80bd-9225-5148-a8cd-8df1bc003a33',NULL,'7371104311900902','Hasnah Daeng Ngai','hasnah daeng ngai','1990-11-03','7371100','73711001003','7371100','73711001003','00000000002','ok','{"address":"Jl. Daeng Tata No. 7","birth_date":"1990-11-03","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Hasnah Daeng Ngai","heir_name":"Hasnah","heir_relation":"spouse","id":"ee2f80bd-9225-5148-a8cd-8df1bc003a33","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001003","nik":"7371104311900902","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"F"}','83df7b8a-f6b2-48a9-84e4-2e2881653dde','2026-11-29T19:10:21.266564+00:00','2026-11-29T19:10:21.266564+00:00',NULL);
INSERT INTO "participants" VALUES('583423f8-b31e-5704-81a0-a98a0d785701','583423f8-b31e-5704-81a0-a98a0d785701',NULL,'7371102702780903','Muhammad Arfah','muhammad arfah','1978-02-27','7371100','73711001005','7371100','73711001005','00000000003','ok','{"address":"Jl. Daeng Tata No. 7","birth_date":"1978-02-27","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Muhammad Arfah","heir_name":"Hasnah","heir_relation":"spouse","id":"583423f8-b31e-5704-81a0-a98a0d785701","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001005","nik":"7371102702780903","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"M"}','83df7b8a-f6b2-48a9-84e4-2e2881653dde','2026-11-29T19:10:21.274231+00:00','2026-11-29T19:10:21.274231+00:00',NULL);
CREATE TABLE payment_months (
	payment_id VARCHAR(64) NOT NULL, 
	month VARCHAR(7) NOT NULL, 
	participant_id VARCHAR(64) NOT NULL, 
	PRIMARY KEY (payment_id, month)
);
INSERT INTO "payment_months" VALUES('fe293896-9690-5f74-9897-2b56bd6f511f','2026-01','644e5115-dce0-5cb6-a25c-8da2b73e0ee4');
INSERT INTO "payment_months" VALUES('fe293896-9690-5f74-9897-2b56bd6f511f','2026-02','644e5115-dce0-5cb6-a25c-8da2b73e0ee4');
CREATE TABLE payments (
	id VARCHAR(64) NOT NULL, 
	receipt_no VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	worker_id VARCHAR(64) NOT NULL, 
	participant_id VARCHAR(64) NOT NULL, 
	months VARCHAR NOT NULL, 
	amount BIGINT NOT NULL, 
	data VARCHAR NOT NULL, 
	voids_payment_id VARCHAR(64), 
	voided_by VARCHAR(64), 
	flag VARCHAR(32), 
	enrollment_id VARCHAR(36) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	scope_kecamatan VARCHAR(7) NOT NULL, 
	scope_kelurahan VARCHAR(11) NOT NULL, 
	received_at VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (receipt_no)
);
INSERT INTO "payments" VALUES('fe293896-9690-5f74-9897-2b56bd6f511f','DEMO-0001','payment','644e5115-dce0-5cb6-a25c-8da2b73e0ee4','644e5115-dce0-5cb6-a25c-8da2b73e0ee4','["2026-01","2026-02"]',33600,'{"amount":33600,"breakdown":{"2026-01":{"jkk":10000,"jkm":6800},"2026-02":{"jkk":10000,"jkm":6800}},"collected_at":"2026-01-05T03:00:00+00:00","collected_by":"local-user-1","device_id":"server-seed-demo","id":"fe293896-9690-5f74-9897-2b56bd6f511f","method":"cash","months":["2026-01","2026-02"],"receipt_no":"DEMO-0001","tariff_version":"2026.1","worker_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"}',NULL,NULL,NULL,'b90208ad-ebb5-4e74-a390-a61ce2d98110','83df7b8a-f6b2-48a9-84e4-2e2881653dde','7371100','73711001001','2026-11-29T19:10:21.280213+00:00');
CREATE TABLE reference_versions (
	version VARCHAR(64) NOT NULL, 
	published_at VARCHAR NOT NULL, 
	files VARCHAR NOT NULL, 
	PRIMARY KEY (version)
);
CREATE TABLE review_queue (
	id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	participant_id VARCHAR(64) NOT NULL, 
	other_participant_id VARCHAR(64), 
	op_id VARCHAR(36) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	resolution VARCHAR(32), 
	resolved_by VARCHAR(64), 
	created_at VARCHAR NOT NULL, 
	resolved_at VARCHAR, 
	PRIMARY KEY (id)
);
CREATE TABLE server_meta (
	"key" VARCHAR(64) NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE stream_seq (
	device_id VARCHAR(64) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	contiguous_seq BIGINT NOT NULL, 
	seen_above VARCHAR NOT NULL, 
	updated_at VARCHAR NOT NULL, 
	PRIMARY KEY (device_id, user_id)
);
INSERT INTO "stream_seq" VALUES('server-seed-demo','83df7b8a-f6b2-48a9-84e4-2e2881653dde',4,'[]','2026-11-29T19:10:21.280213+00:00');
CREATE TABLE tokens (
	token_hash VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	enrollment_id VARCHAR NOT NULL, 
	user_id VARCHAR NOT NULL, 
	issued_at VARCHAR NOT NULL, 
	expires_at VARCHAR NOT NULL, 
	rotated_at VARCHAR, 
	revoked BOOLEAN NOT NULL, 
	PRIMARY KEY (token_hash), 
	FOREIGN KEY(enrollment_id) REFERENCES enrollments (id), 
	FOREIGN KEY(user_id) REFERENCES users (id)
);
CREATE TABLE users (
	id VARCHAR(36) NOT NULL, 
	username VARCHAR(64) NOT NULL, 
	full_name VARCHAR(128) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	wadah_id INTEGER, 
	kecamatan_code VARCHAR(7), 
	kelurahan_code VARCHAR(11), 
	password_hash VARCHAR NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(wadah_id) REFERENCES wadah (id)
);
INSERT INTO "users" VALUES('f0fcc102-dd01-4898-990f-36e4a669dce1','agen.lama','Agen Lama','agent',1,'7371100',NULL,'$argon2id$v=19$m=1024,t=1,p=1$zL1jrhoi2xsbWg2G5v5Ruw$5R5MlQw4Q1Q3TTWB67n5J/C4RA1Ox9U6djyokOeHJIo',1,'2026-11-29T19:10:21.178389+00:00');
INSERT INTO "users" VALUES('5cc8fa3a-039c-440d-bdf6-f54245bdccb5','agen.demo','Agen Demo','agent',1,'7371100',NULL,'$argon2id$v=19$m=1024,t=1,p=1$N9af5pSXEIEZV+3+Z/1B7w$GIfBZx6VO4tiMor1SabPRJNCWj/aA8y2rcT2FPrmqIk',1,'2026-11-29T19:10:21.203887+00:00');
INSERT INTO "users" VALUES('83df7b8a-f6b2-48a9-84e4-2e2881653dde','supervisor.demo','Supervisor Demo','supervisor',1,'7371100',NULL,'$argon2id$v=19$m=1024,t=1,p=1$wxzZcas4QRPd4cUQc0F23g$TPzXGSvyW3315CzgamkfiBljNEwBY3XpWan0fHcTxho',1,'2026-11-29T19:10:21.205403+00:00');
CREATE TABLE wadah (
	id INTEGER NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	created_at VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (name)
);
INSERT INTO "wadah" VALUES(1,'Koperasi Perisai Makassar','2026-11-29T19:10:21.164259+00:00');
CREATE INDEX ix_login_failures_at ON login_failures (at);
CREATE INDEX ix_login_failures_key ON login_failures ("key");
CREATE INDEX ix_participants_scope_kelurahan ON participants (scope_kelurahan);
CREATE INDEX ix_participants_canonical_id ON participants (canonical_id);
CREATE INDEX ix_participants_alias_of ON participants (alias_of);
CREATE INDEX ix_participants_nik ON participants (nik);
CREATE INDEX ix_participants_scope_kecamatan ON participants (scope_kecamatan);
CREATE INDEX ix_payments_scope_kelurahan ON payments (scope_kelurahan);
CREATE INDEX ix_payments_voids_payment_id ON payments (voids_payment_id);
CREATE INDEX ix_payments_scope_kecamatan ON payments (scope_kecamatan);
CREATE INDEX ix_payments_participant_id ON payments (participant_id);
CREATE INDEX ix_payment_months_participant_month ON payment_months (participant_id, month);
CREATE INDEX ix_review_queue_participant_id ON review_queue (participant_id);
CREATE INDEX ix_review_queue_status ON review_queue (status);
CREATE INDEX ix_deletion_requests_participant_id ON deletion_requests (participant_id);
CREATE INDEX ix_documents_kind ON documents (kind);
CREATE INDEX ix_changes_created_at ON changes (created_at);
CREATE INDEX ix_changes_entity ON changes (entity, entity_id);
CREATE INDEX ix_changes_scope_kecamatan ON changes (scope_kecamatan);
CREATE INDEX ix_changes_scope_kelurahan ON changes (scope_kelurahan);
CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE INDEX ix_enrollments_device_id ON enrollments (device_id);
CREATE INDEX ix_enrollments_user_id ON enrollments (user_id);
CREATE INDEX ix_tokens_user_id ON tokens (user_id);
CREATE INDEX ix_tokens_enrollment_id ON tokens (enrollment_id);
CREATE INDEX ix_tokens_expires_at ON tokens (expires_at);
COMMIT;
