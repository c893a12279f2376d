-- Takes one attempt at an owed refund: only the sweep that still sees the due time it read moves it on, so two
-- instances sweeping at once never both call the gateway for one payment.
UPDATE payments
SET refund_due_at = @NextDueAt
WHERE id = @PaymentId AND refund_due_at = @SeenDueAt;
