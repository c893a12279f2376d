-- The theatre's id (null when there is no such theatre). Nothing to lock: BEGIN IMMEDIATE already holds the
-- database's one write lock.
SELECT id FROM theatres WHERE id = @Id;
