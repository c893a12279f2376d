-- A payment accepted with 202 keeps its booking's seats while it is processed: the hold (expires_at, and its seat
-- claims' expires_at) is extended to the end of the processing window. extended_from is the hold's own end while
-- such an extension is in force, NULL otherwise; a payment that ends without being kept puts the hold back to it in
-- the same transaction, so an extension lasts only as long as its payment is PENDING and never reaches beyond the
-- hold's own end plus one processing window.
ALTER TABLE bookings ADD COLUMN extended_from INTEGER CHECK (extended_from IS NULL OR extended_from <= expires_at);
