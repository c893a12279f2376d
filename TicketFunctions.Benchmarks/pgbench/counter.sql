-- One statement: a conditional decrement of the showtime's free-seat counter; its row count decides. Fastest, but
-- it only counts: it cannot say which seat, nor free an ended hold's seat without a job.
UPDATE showtimes SET free_seats = free_seats - 1 WHERE id = 1 AND free_seats >= 1;
