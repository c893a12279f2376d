-- What cancelling needs: the stored and the read status, when the showtime starts, and the paid payment to refund
-- (if any; the refund itself reads the payment again, after the commit). Owner or admin only, as for reading.
SELECT b.id, b.status AS StoredStatus,
       CASE WHEN b.status = 'PENDING' AND b.expires_at <= @Now THEN 'EXPIRED' ELSE b.status END AS Status,
       s.starts_at AS StartsAt,
       p.id AS PaymentId
FROM bookings b
JOIN showtimes s ON s.id = b.showtime_id
LEFT JOIN payments p ON p.booking_id = b.id AND p.status = 'SUCCESS'
WHERE b.id = @Id AND (b.user_id = @CallerId OR @IsAdmin);
