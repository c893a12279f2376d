using TicketFunctions.Payments;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Payments;

public sealed class GetPaymentTests
{
    private static Task<TestResponse> Get(TestApp app, long id, string? token)
        => app.Invoke<PaymentFunctions>(nameof(PaymentFunctions.Get), app.Request("GET", $"/api/payments/{id}", token: token), (f, r) => f.Get(r, id));

    [Fact]
    public async Task The_owner_and_an_admin_read_a_payment_others_get_404()
    {
        await using var app = await TestApp.StartAsync();
        var (token, userId) = await app.RegisterAndLogin();
        var (otherToken, _) = await app.RegisterAndLogin();
        var (adminToken, _) = await app.LoginAsAdmin();
        var (created, message) = await app.Pay(token, await app.SeedPendingBooking(userId, ["A1"], 999));
        var id = message!.PaymentId;

        var owner = await Get(app, id, token);
        var admin = await Get(app, id, adminToken);
        var other = await Get(app, id, otherToken);

        Assert.Equal(200, owner.Status);
        Assert.Equal(created.Body, owner.Body);
        Assert.Equal("9.99", owner.Json.GetProperty("amount").GetRawText());
        Assert.Equal(200, admin.Status);
        Assert.Equal(404, other.Status);
        Assert.True(other.IsProblem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(424242)]
    public async Task An_unknown_or_non_positive_payment_id_answers_404(long id)
    {
        await using var app = await TestApp.StartAsync();
        var (token, _) = await app.RegisterAndLogin();

        Assert.Equal(404, (await Get(app, id, token)).Status);
    }

    [Fact]
    public async Task Reading_a_payment_without_a_token_answers_401()
    {
        await using var app = await TestApp.StartAsync();

        var response = await Get(app, 1, null);

        Assert.Equal(401, response.Status);
        Assert.Equal("Bearer", response.Headers.WWWAuthenticate.ToString());
    }
}
