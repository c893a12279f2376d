-- Nothing to lock: the hold's BEGIN IMMEDIATE already holds the database's one write lock.
SELECT id FROM showtimes WHERE id = @Id;
