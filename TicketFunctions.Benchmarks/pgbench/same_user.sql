-- The per-user limit under attack: every attempt is the same user's; exactly 10 seats may end up theirs.
\set booking random(1, 1000000000)
SELECT hold_seats(1, 7, :booking, 1, 1, 10);
