-- Taken first in a hold's transaction: holds on one showtime queue here, one at a time, across every instance,
-- while other showtimes book in parallel. Under the lock the checks (per-user limit, free seats, the seat picker)
-- read what the previous holder committed, so they decide exactly as SQLite's single writer does; the claims'
-- primary key is still the backstop.
SELECT id FROM showtimes WHERE id = @Id FOR UPDATE;
