SELECT status FROM payments WHERE id = @PaymentId;
