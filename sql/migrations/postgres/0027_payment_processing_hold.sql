-- A payment's processing window over its booking's hold (twin of migrations/sqlite/0027_payment_processing_hold.sql):
-- extended_from is the hold's own end while a PENDING payment extends expires_at (and its claims' expires_at), NULL
-- otherwise; a payment that ends without being kept puts the hold back in the same transaction.
ALTER TABLE bookings ADD COLUMN extended_from BIGINT CHECK (extended_from IS NULL OR extended_from <= expires_at);
