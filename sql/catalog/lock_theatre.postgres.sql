-- The theatre row, locked for the rest of the transaction (null when there is no such theatre): creating a
-- showtime and changing a theatre's layout take it first, so on one theatre they run one at a time across
-- instances. Then the overlap check sees every showtime committed before it, and a layout change sees every
-- showtime that uses the theatre (a NOT EXISTS re-checked after waiting on a row lock would still read the old snapshot).
SELECT id FROM theatres WHERE id = @Id FOR UPDATE;
