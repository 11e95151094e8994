
CREATE TABLE public.applied_ops (
    op_id character varying(36) NOT NULL,
    payload_hash character varying(64) NOT NULL,
    kind character varying(64) NOT NULL,
    entity_id character varying(64) NOT NULL,
    status character varying(16) NOT NULL,
    result character varying NOT NULL,
    device_id character varying(64) NOT NULL,
    user_id character varying(36) NOT NULL,
    seq bigint NOT NULL,
    applied_at character varying NOT NULL
);

CREATE TABLE public.changes (
    seq integer NOT NULL,
    entity character varying(16) NOT NULL,
    entity_id character varying(64) NOT NULL,
    op character varying(8) NOT NULL,
    scope_kecamatan character varying(7) NOT NULL,
    scope_kelurahan character varying(11) NOT NULL,
    created_at character varying NOT NULL
);

CREATE TABLE public.counters (
    name character varying(32) NOT NULL,
    value bigint NOT NULL
);

CREATE TABLE public.deletion_requests (
    id integer NOT NULL,
    participant_id character varying(64) NOT NULL,
    reason character varying NOT NULL,
    requested_at character varying NOT NULL,
    requested_by character varying(64) NOT NULL,
    op_id character varying(36) NOT NULL,
    status character varying(16) NOT NULL,
    created_at character varying NOT NULL
);

CREATE SEQUENCE public.deletion_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.deletion_requests_id_seq OWNED BY public.deletion_requests.id;

CREATE TABLE public.documents (
    op_id character varying(36) NOT NULL,
    kind character varying(64) NOT NULL,
    entity_id character varying(64) NOT NULL,
    user_id character varying(36) NOT NULL,
    device_id character varying(64) NOT NULL,
    data character varying NOT NULL,
    received_at character varying NOT NULL
);

CREATE TABLE public.enrollments (
    id character varying(36) NOT NULL,
    device_id character varying(64) NOT NULL,
    user_id character varying NOT NULL,
    device_name character varying(128) NOT NULL,
    app_version character varying(32) NOT NULL,
    receipt_key character varying(64) NOT NULL,
    created_at character varying NOT NULL,
    last_seen_at character varying NOT NULL,
    revoked_at character varying
);

CREATE TABLE public.login_failures (
    id integer NOT NULL,
    key character varying(128) NOT NULL,
    at character varying NOT NULL
);

CREATE SEQUENCE public.login_failures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.login_failures_id_seq OWNED BY public.login_failures.id;

CREATE TABLE public.participants (
    id character varying(64) NOT NULL,
    canonical_id character varying(64) NOT NULL,
    alias_of character varying(64),
    nik character varying(16) NOT NULL,
    full_name character varying(128) NOT NULL,
    name_key character varying NOT NULL,
    birth_date character varying(10) NOT NULL,
    kecamatan_code character varying(7) NOT NULL,
    kelurahan_code character varying(11) NOT NULL,
    scope_kecamatan character varying(7) NOT NULL,
    scope_kelurahan character varying(11) NOT NULL,
    kpj character varying(11),
    review_state character varying(16) NOT NULL,
    data character varying NOT NULL,
    registered_by_user character varying(36) NOT NULL,
    created_at character varying NOT NULL,
    updated_at character varying NOT NULL,
    deleted_at character varying
);

CREATE TABLE public.payment_months (
    payment_id character varying(64) NOT NULL,
    month character varying(7) NOT NULL,
    participant_id character varying(64) NOT NULL
);

CREATE TABLE public.payments (
    id character varying(64) NOT NULL,
    receipt_no character varying(64) NOT NULL,
    kind character varying(8) NOT NULL,
    worker_id character varying(64) NOT NULL,
    participant_id character varying(64) NOT NULL,
    months character varying NOT NULL,
    amount bigint NOT NULL,
    data character varying NOT NULL,
    voids_payment_id character varying(64),
    voided_by character varying(64),
    flag character varying(32),
    enrollment_id character varying(36) NOT NULL,
    user_id character varying(36) NOT NULL,
    scope_kecamatan character varying(7) NOT NULL,
    scope_kelurahan character varying(11) NOT NULL,
    received_at character varying NOT NULL
);

CREATE TABLE public.reference_versions (
    version character varying(64) NOT NULL,
    published_at character varying NOT NULL,
    files character varying NOT NULL
);

CREATE TABLE public.review_queue (
    id integer NOT NULL,
    kind character varying(32) NOT NULL,
    participant_id character varying(64) NOT NULL,
    other_participant_id character varying(64),
    op_id character varying(36) NOT NULL,
    status character varying(16) NOT NULL,
    resolution character varying(32),
    resolved_by character varying(64),
    created_at character varying NOT NULL,
    resolved_at character varying
);

CREATE SEQUENCE public.review_queue_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.review_queue_id_seq OWNED BY public.review_queue.id;

CREATE TABLE public.server_meta (
    key character varying(64) NOT NULL,
    value character varying NOT NULL
);

CREATE TABLE public.stream_seq (
    device_id character varying(64) NOT NULL,
    user_id character varying(36) NOT NULL,
    contiguous_seq bigint NOT NULL,
    seen_above character varying NOT NULL,
    updated_at character varying NOT NULL
);

CREATE TABLE public.tokens (
    token_hash character varying(64) NOT NULL,
    kind character varying(8) NOT NULL,
    enrollment_id character varying NOT NULL,
    user_id character varying NOT NULL,
    issued_at character varying NOT NULL,
    expires_at character varying NOT NULL,
    rotated_at character varying,
    revoked boolean NOT NULL
);

CREATE TABLE public.users (
    id character varying(36) NOT NULL,
    username character varying(64) NOT NULL,
    full_name character varying(128) NOT NULL,
    role character varying(16) NOT NULL,
    wadah_id integer,
    kecamatan_code character varying(7),
    kelurahan_code character varying(11),
    password_hash character varying NOT NULL,
    active boolean NOT NULL,
    created_at character varying NOT NULL
);

CREATE TABLE public.wadah (
    id integer NOT NULL,
    name character varying(128) NOT NULL,
    created_at character varying NOT NULL
);

CREATE SEQUENCE public.wadah_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER SEQUENCE public.wadah_id_seq OWNED BY public.wadah.id;

ALTER TABLE ONLY public.deletion_requests ALTER COLUMN id SET DEFAULT nextval('public.deletion_requests_id_seq'::regclass);

ALTER TABLE ONLY public.login_failures ALTER COLUMN id SET DEFAULT nextval('public.login_failures_id_seq'::regclass);

ALTER TABLE ONLY public.review_queue ALTER COLUMN id SET DEFAULT nextval('public.review_queue_id_seq'::regclass);

ALTER TABLE ONLY public.wadah ALTER COLUMN id SET DEFAULT nextval('public.wadah_id_seq'::regclass);

INSERT INTO public.applied_ops VALUES ('dbeefbdf-3cfd-5dee-b896-72e9eab221d6', 'ad7f9a3f54d4f99aa3a2122f3384ac50b74c952d13b66f7e559dacce390c200c', 'worker.register', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4', 'applied', '{"op_id":"dbeefbdf-3cfd-5dee-b896-72e9eab221d6","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000001","canonical_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"},"original_status":null}', 'server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 1, '2026-11-29T19:10:22.678172+00:00');
INSERT INTO public.applied_ops VALUES ('e3405d0f-dbca-5e92-aff8-16097427a7e8', 'f923b32fb74609598d26591b3e06978fb4e51c5a4f7305d432af28c73ab50e3b', 'worker.register', 'ee2f80bd-9225-5148-a8cd-8df1bc003a33', 'applied', '{"op_id":"e3405d0f-dbca-5e92-aff8-16097427a7e8","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000002","canonical_id":"ee2f80bd-9225-5148-a8cd-8df1bc003a33"},"original_status":null}', 'server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 2, '2026-11-29T19:10:22.754060+00:00');
INSERT INTO public.applied_ops VALUES ('95040c47-b72c-5b50-9626-6730d890751b', '55a9610acefefe5d0ad90d3cff76454eb1b3750ea65d0ee59fea00c16f19b44c', 'worker.register', '583423f8-b31e-5704-81a0-a98a0d785701', 'applied', '{"op_id":"95040c47-b72c-5b50-9626-6730d890751b","status":"applied","code":null,"message":null,"assigned":{"kpj":"00000000003","canonical_id":"583423f8-b31e-5704-81a0-a98a0d785701"},"original_status":null}', 'server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 3, '2026-11-29T19:10:22.798578+00:00');
INSERT INTO public.applied_ops VALUES ('f496fa9f-bf95-5688-a0ba-ae76f4d52627', '7bb7082675286a9c882fbab1aecad3accf56951e1d48d6dd75b31c6a36773a15', 'payment.collect', 'fe293896-9690-5f74-9897-2b56bd6f511f', 'applied', '{"op_id":"f496fa9f-bf95-5688-a0ba-ae76f4d52627","status":"applied","code":null,"message":null,"assigned":{"canonical_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"},"original_status":null}', 'server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 4, '2026-11-29T19:10:22.829958+00:00');

INSERT INTO public.changes VALUES (2, 'worker', 'ee2f80bd-9225-5148-a8cd-8df1bc003a33', 'upsert', '7371100', '73711001003', '2026-11-29T19:10:22.754060+00:00');
INSERT INTO public.changes VALUES (3, 'worker', '583423f8-b31e-5704-81a0-a98a0d785701', 'upsert', '7371100', '73711001005', '2026-11-29T19:10:22.798578+00:00');
INSERT INTO public.changes VALUES (4, 'payment', 'fe293896-9690-5f74-9897-2b56bd6f511f', 'upsert', '7371100', '73711001001', '2026-11-29T19:10:22.829958+00:00');
INSERT INTO public.changes VALUES (5, 'worker', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4', 'upsert', '7371100', '73711001001', '2026-11-29T19:10:22.829958+00:00');

INSERT INTO public.counters VALUES ('kpj', 3);
INSERT INTO public.counters VALUES ('change', 5);

INSERT INTO public.enrollments VALUES ('27bf5df3-209b-45d8-8ef1-71e183fec393', 'server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 'seed-demo', '', '559ef54ba9ea49359960b071c81f18d7', '2026-11-29T19:10:22.673900+00:00', '2026-11-29T19:10:22.673916+00:00', NULL);

INSERT INTO public.participants VALUES ('644e5115-dce0-5cb6-a25c-8da2b73e0ee4', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4', NULL, '7371101204850901', 'Daeng Sikki', 'daeng sikki', '1985-04-12', '7371100', '73711001001', '7371100', '73711001001', '00000000001', 'ok', '{"address":"Jl. Daeng Tata No. 7","birth_date":"1985-04-12","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Daeng Sikki","heir_name":"Hasnah","heir_relation":"spouse","id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001001","nik":"7371101204850901","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"M"}', '451c0f8d-4656-448b-bbb2-8b7eed269b73', '2026-11-29T19:10:22.678172+00:00', '2026-11-29T19:10:22.678172+00:00', NULL);
INSERT INTO public.participants VALUES ('ee2f80bd-9225-5148-a8cd-8df1bc003a33', 'ee2f80bd-9225-5148-a8cd-8df1bc003a33', NULL, '7371104311900902', 'Hasnah Daeng Ngai', 'hasnah daeng ngai', '1990-11-03', '7371100', '73711001003', '7371100', '73711001003', '00000000002', 'ok', '{"address":"Jl. Daeng Tata No. 7","birth_date":"1990-11-03","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Hasnah Daeng Ngai","heir_name":"Hasnah","heir_relation":"spouse","id":"ee2f80bd-9225-5148-a8cd-8df1bc003a33","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001003","nik":"7371104311900902","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"F"}', '451c0f8d-4656-448b-bbb2-8b7eed269b73', '2026-11-29T19:10:22.754060+00:00', '2026-11-29T19:10:22.754060+00:00', NULL);
INSERT INTO public.participants VALUES ('583423f8-b31e-5704-81a0-a98a0d785701', '583423f8-b31e-5704-81a0-a98a0d785701', NULL, '7371102702780903', 'Muhammad Arfah', 'muhammad arfah', '1978-02-27', '7371100', '73711001005', '7371100', '73711001005', '00000000003', 'ok', '{"address":"Jl. Daeng Tata No. 7","birth_date":"1978-02-27","consent_at":"2026-01-05T02:00:00+00:00","consent_user_id":"local-user-1","consent_version":"2026.1","declared_income":1500000,"desil":null,"desil_date":null,"desil_source":null,"disability":false,"disability_kind":null,"full_name":"Muhammad Arfah","heir_name":"Hasnah","heir_relation":"spouse","id":"583423f8-b31e-5704-81a0-a98a0d785701","is_employer":false,"kecamatan_code":"7371100","kelurahan_code":"73711001005","nik":"7371102702780903","occupations":["Ojek pangkalan"],"phone":"+6281234567890","policy_sector":"transport","programmes":{"jkk":"self","jkm":"self"},"registered_at":"2026-01-05T02:00:00+00:00","registered_by":"local-user-1","registration_month":"2026-01","sex":"M"}', '451c0f8d-4656-448b-bbb2-8b7eed269b73', '2026-11-29T19:10:22.798578+00:00', '2026-11-29T19:10:22.798578+00:00', NULL);

INSERT INTO public.payment_months VALUES ('fe293896-9690-5f74-9897-2b56bd6f511f', '2026-01', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4');
INSERT INTO public.payment_months VALUES ('fe293896-9690-5f74-9897-2b56bd6f511f', '2026-02', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4');

INSERT INTO public.payments VALUES ('fe293896-9690-5f74-9897-2b56bd6f511f', 'DEMO-0001', 'payment', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4', '644e5115-dce0-5cb6-a25c-8da2b73e0ee4', '["2026-01","2026-02"]', 33600, '{"amount":33600,"breakdown":{"2026-01":{"jkk":10000,"jkm":6800},"2026-02":{"jkk":10000,"jkm":6800}},"collected_at":"2026-01-05T03:00:00+00:00","collected_by":"local-user-1","device_id":"server-seed-demo","id":"fe293896-9690-5f74-9897-2b56bd6f511f","method":"cash","months":["2026-01","2026-02"],"receipt_no":"DEMO-0001","tariff_version":"2026.1","worker_id":"644e5115-dce0-5cb6-a25c-8da2b73e0ee4"}', NULL, NULL, NULL, '27bf5df3-209b-45d8-8ef1-71e183fec393', '451c0f8d-4656-448b-bbb2-8b7eed269b73', '7371100', '73711001001', '2026-11-29T19:10:22.829958+00:00');

INSERT INTO public.stream_seq VALUES ('server-seed-demo', '451c0f8d-4656-448b-bbb2-8b7eed269b73', 4, '[]', '2026-11-29T19:10:22.829958+00:00');

INSERT INTO public.users VALUES ('e481b6cd-ea1e-467d-9b27-1ec64f4b810b', 'agen.lama', 'Agen Lama', 'agent', 1, '7371100', NULL, '$argon2id$v=19$m=1024,t=1,p=1$ZyQRUG7sNV7qKaQebM4X9Q$kw71pDdshpONF3GKyDli3U/TMyaiuLWghR2Zm5dfEbk', true, '2026-11-29T19:10:22.636554+00:00');
INSERT INTO public.users VALUES ('3e125b94-99a9-4aea-9cee-f9fecf1594fb', 'agen.demo', 'Agen Demo', 'agent', 1, '7371100', NULL, '$argon2id$v=19$m=1024,t=1,p=1$kJIt2gxdjN49bz197FZqqw$Nhen+H3Mg1TIFPzUy1SVyziTFXl3dSp/YLU4Wt7OII0', true, '2026-11-29T19:10:22.651954+00:00');
INSERT INTO public.users VALUES ('451c0f8d-4656-448b-bbb2-8b7eed269b73', 'supervisor.demo', 'Supervisor Demo', 'supervisor', 1, '7371100', NULL, '$argon2id$v=19$m=1024,t=1,p=1$Qt6CqqCa/hcnrs4wV1Qsug$8q+qlvKXM1hCb/2KZPpvCHTgtwRiBkR2f6YdVIkmV0g', true, '2026-11-29T19:10:22.662884+00:00');

INSERT INTO public.wadah VALUES (1, 'Koperasi Perisai Makassar', '2026-11-29T19:10:22.633998+00:00');

SELECT pg_catalog.setval('public.deletion_requests_id_seq', 1, false);

SELECT pg_catalog.setval('public.login_failures_id_seq', 1, false);

SELECT pg_catalog.setval('public.review_queue_id_seq', 1, false);

SELECT pg_catalog.setval('public.wadah_id_seq', 1, true);

ALTER TABLE ONLY public.applied_ops
    ADD CONSTRAINT applied_ops_pkey PRIMARY KEY (op_id);

ALTER TABLE ONLY public.changes
    ADD CONSTRAINT changes_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY public.counters
    ADD CONSTRAINT counters_pkey PRIMARY KEY (name);

ALTER TABLE ONLY public.deletion_requests
    ADD CONSTRAINT deletion_requests_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (op_id);

ALTER TABLE ONLY public.enrollments
    ADD CONSTRAINT enrollments_device_id_user_id_key UNIQUE (device_id, user_id);

ALTER TABLE ONLY public.enrollments
    ADD CONSTRAINT enrollments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.participants
    ADD CONSTRAINT participants_kpj_key UNIQUE (kpj);

ALTER TABLE ONLY public.participants
    ADD CONSTRAINT participants_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.payment_months
    ADD CONSTRAINT payment_months_pkey PRIMARY KEY (payment_id, month);

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.payments
    ADD CONSTRAINT payments_receipt_no_key UNIQUE (receipt_no);

ALTER TABLE ONLY public.reference_versions
    ADD CONSTRAINT reference_versions_pkey PRIMARY KEY (version);

ALTER TABLE ONLY public.review_queue
    ADD CONSTRAINT review_queue_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.server_meta
    ADD CONSTRAINT server_meta_pkey PRIMARY KEY (key);

ALTER TABLE ONLY public.stream_seq
    ADD CONSTRAINT stream_seq_pkey PRIMARY KEY (device_id, user_id);

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_pkey PRIMARY KEY (token_hash);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.wadah
    ADD CONSTRAINT wadah_name_key UNIQUE (name);

ALTER TABLE ONLY public.wadah
    ADD CONSTRAINT wadah_pkey PRIMARY KEY (id);

CREATE INDEX ix_changes_created_at ON public.changes USING btree (created_at);

CREATE INDEX ix_changes_entity ON public.changes USING btree (entity, entity_id);

CREATE INDEX ix_changes_scope_kecamatan ON public.changes USING btree (scope_kecamatan);

CREATE INDEX ix_changes_scope_kelurahan ON public.changes USING btree (scope_kelurahan);

CREATE INDEX ix_deletion_requests_participant_id ON public.deletion_requests USING btree (participant_id);

CREATE INDEX ix_documents_kind ON public.documents USING btree (kind);

CREATE INDEX ix_enrollments_device_id ON public.enrollments USING btree (device_id);

CREATE INDEX ix_enrollments_user_id ON public.enrollments USING btree (user_id);

CREATE INDEX ix_login_failures_at ON public.login_failures USING btree (at);

CREATE INDEX ix_login_failures_key ON public.login_failures USING btree (key);

CREATE INDEX ix_participants_alias_of ON public.participants USING btree (alias_of);

CREATE INDEX ix_participants_canonical_id ON public.participants USING btree (canonical_id);

CREATE INDEX ix_participants_nik ON public.participants USING btree (nik);

CREATE INDEX ix_participants_scope_kecamatan ON public.participants USING btree (scope_kecamatan);

CREATE INDEX ix_participants_scope_kelurahan ON public.participants USING btree (scope_kelurahan);

CREATE INDEX ix_payment_months_participant_month ON public.payment_months USING btree (participant_id, month);

CREATE INDEX ix_payments_participant_id ON public.payments USING btree (participant_id);

CREATE INDEX ix_payments_scope_kecamatan ON public.payments USING btree (scope_kecamatan);

CREATE INDEX ix_payments_scope_kelurahan ON public.payments USING btree (scope_kelurahan);

CREATE INDEX ix_payments_voids_payment_id ON public.payments USING btree (voids_payment_id);

CREATE INDEX ix_review_queue_participant_id ON public.review_queue USING btree (participant_id);

CREATE INDEX ix_review_queue_status ON public.review_queue USING btree (status);

CREATE INDEX ix_tokens_enrollment_id ON public.tokens USING btree (enrollment_id);

CREATE INDEX ix_tokens_expires_at ON public.tokens USING btree (expires_at);

CREATE INDEX ix_tokens_user_id ON public.tokens USING btree (user_id);

CREATE UNIQUE INDEX ix_users_username ON public.users USING btree (username);

ALTER TABLE ONLY public.enrollments
    ADD CONSTRAINT enrollments_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_enrollment_id_fkey FOREIGN KEY (enrollment_id) REFERENCES public.enrollments(id);

ALTER TABLE ONLY public.tokens
    ADD CONSTRAINT tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_wadah_id_fkey FOREIGN KEY (wadah_id) REFERENCES public.wadah(id);

