using Dapper;
using Microsoft.AspNetCore.Http;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Common;

/// <summary>A body that does not arrive is the client's fault: a 4xx problem, never a 500.</summary>
public sealed class ClientFaultTests
{
    public static TheoryData<string, Exception, int> Faults => new()
    {
        { "too slow (Kestrel's minimum data rate)", new BadHttpRequestException("Reading the request body timed out due to data arriving too slowly.", StatusCodes.Status408RequestTimeout), 408 },
        { "shorter than its Content-Length", new BadHttpRequestException("Unexpected end of request content.", StatusCodes.Status400BadRequest), 400 },
        { "the connection dropped", new IOException("The client reset the request stream."), 400 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_body_that_does_not_arrive_answers_a_4xx_problem(string why, Exception fault, int status)
    {
        await using var app = await TestApp.StartAsync();
        var request = app.Request("POST", "/api/auth/register", new { email = "slow@example.com", password = "Password-123", fullName = "Slow" });
        request.Body = new FailingStream(fault);

        var response = await app.Call(() => app.Function<AuthFunctions>().Register(request));

        Assert.True(response.Status == status, $"{why}: {response}");
        Assert.True(response.IsProblem, response.ToString());
        Assert.DoesNotContain("Exception", response.Body, StringComparison.Ordinal);
        await using var connection = await app.Db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE email = 'slow@example.com'"));
    }

    private sealed class FailingStream(Exception fault) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw fault;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(fault);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
