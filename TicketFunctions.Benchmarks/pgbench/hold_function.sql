-- The app-shaped candidate: the whole hold (user's limit under the user's row lock, a skip-locked claim) as one
-- server-side function call, one round trip. 2,000 attempts from 2,000 users.
\set booking random(1, 1000000000)
\set user random(1, 2000)
SELECT hold_seats(1, :user, :booking, 1, 1, 10);
