-- Issue 13, credentials: API tokens may be given an expiry (`planmap token add --expires-days N`);
-- NULL is a token that lasts until it is revoked. A token is listed and revoked by the first 12
-- hex digits of its digest, so no id column is needed. Same column as PostGIS (RFC 3339 text here).
alter table api_token add column expires_at text;
