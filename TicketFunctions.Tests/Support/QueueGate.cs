using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TicketFunctions.Tests.Support;

/// <summary>
/// A plain HTTP forwarder in front of Azurite's queue service (requests and answers pass unchanged, signatures
/// included) that can hold back the app's receives from one queue: sends, peeks and everything else go through.
/// With the gate shut, messages pile up in the queue and no host takes any; <see cref="LetOneReceiveThrough"/> lets
/// exactly one receive (one batch) through. <see cref="Break"/> makes the whole queue service unreachable (every
/// connection is dropped) until <see cref="Mend"/>. It also keeps what it saw of that queue: every message a receive
/// handed out (<see cref="Received"/>) and every message the app deleted (<see cref="Deleted"/>), so a test can tell
/// which host took and finished which message.
/// </summary>
public sealed class QueueGate : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _azurite;
    private readonly string _queueMessagesPath;
    private readonly SemaphoreSlim _receives = new(0);
    private readonly List<ReceivedMessage> _received = [];
    private readonly HashSet<string> _deleted = [];
    private volatile bool _open = true;
    private volatile bool _broken;
    private int _held;
    private int _forwarding;

    private QueueGate(WebApplication app, HttpClient azurite, string queueMessagesPath)
    {
        _app = app;
        _azurite = azurite;
        _queueMessagesPath = queueMessagesPath;
    }

    /// <summary>The connection string to give the app: the queue endpoint is this forwarder.</summary>
    public string ConnectionString { get; private set; } = "";

    public static async Task<QueueGate> StartAsync(FunctionsLocalHost.Tests.Support.AzuriteFixture azurite, string queueName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
#pragma warning disable CA2000 // Disposed with the gate.
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
#pragma warning restore CA2000
        var gate = new QueueGate(app, client, $"/{FunctionsLocalHost.Tests.Support.AzuriteFixture.AccountName}/{queueName}/messages");
        app.Run(context => gate.ForwardAsync(context, azurite.QueueEndpoint));
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        gate.ConnectionString = azurite.ConnectionString.Replace(
            azurite.QueueEndpoint.ToString(), $"http://127.0.0.1:{address.Port}/{FunctionsLocalHost.Tests.Support.AzuriteFixture.AccountName}", StringComparison.Ordinal);
        return gate;
    }

    /// <summary>Every message a receive through this gate handed out, in order (a redelivered message once more).</summary>
    public IReadOnlyList<ReceivedMessage> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>The ids of the messages that the app deleted through this gate (the delete answered 204).</summary>
    public IReadOnlySet<string> Deleted
    {
        get
        {
            lock (_received)
            {
                return new HashSet<string>(_deleted);
            }
        }
    }

    /// <summary>From now on every request to the queue service fails as if the service were down.</summary>
    public void Break() => _broken = true;

    /// <summary>The queue service answers again.</summary>
    public void Mend() => _broken = false;

    /// <summary>Holds back every receive from the queue until let through.</summary>
    public void Shut() => _open = false;

    /// <summary>Lets every receive through again, the held ones too.</summary>
    public void Open()
    {
        _open = true;
        _receives.Release(Math.Max(1, Volatile.Read(ref _held)));
    }

    /// <summary>Lets one waiting (or the next) receive through; the gate stays shut for the ones after it.</summary>
    public void LetOneReceiveThrough() => _receives.Release();

    /// <summary>Waits until a receive is being held at the shut gate: from then on, no host takes a message.</summary>
    public async Task WaitUntilAReceiveIsHeld(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _held) == 0)
        {
            Assert.True(clock.Elapsed < timeout, $"No receive reached the shut gate within {timeout.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Waits until no request is on its way through the gate, so that <see cref="Received"/> and <see cref="Deleted"/>
    /// hold everything the app was answered (after its process died, say).
    /// </summary>
    public async Task WaitUntilNothingIsForwarded(TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref _forwarding) > 0)
        {
            Assert.True(clock.Elapsed < timeout, $"Requests were still being forwarded after {timeout.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _open = true;
        _receives.Release(1000);
        await _app.StopAsync();
        await _app.DisposeAsync();
        _azurite.Dispose();
        _receives.Dispose();
    }

    private async Task ForwardAsync(HttpContext context, Uri azurite)
    {
        Interlocked.Increment(ref _forwarding);
        try
        {
            await ForwardOneAsync(context, azurite);
        }
        finally
        {
            Interlocked.Decrement(ref _forwarding);
        }
    }

    private async Task ForwardOneAsync(HttpContext context, Uri azurite)
    {
        if (_broken)
        {
            context.Abort();
            return;
        }

        var request = context.Request;
        var isReceive = HttpMethods.IsGet(request.Method)
            && request.Path.Equals(_queueMessagesPath, StringComparison.OrdinalIgnoreCase)
            && !request.Query["peekonly"].ToString().Equals("true", StringComparison.OrdinalIgnoreCase);
        if (isReceive && !_open)
        {
            Interlocked.Increment(ref _held);
            try
            {
                await _receives.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri($"http://{azurite.Authority}{request.Path}{request.QueryString}"));
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // A receive or a delete is carried through even if the app dies meanwhile: what Azurite did is then recorded,
        // not lost with a cancelled request.
        var cancellation = isReceive || HttpMethods.IsDelete(request.Method) ? CancellationToken.None : context.RequestAborted;
        using var answer = await _azurite.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, cancellation);
        if (HttpMethods.IsDelete(request.Method)
            && request.Path.StartsWithSegments(_queueMessagesPath, StringComparison.OrdinalIgnoreCase, out var messageId)
            && answer.StatusCode == HttpStatusCode.NoContent)
        {
            lock (_received)
            {
                _deleted.Add(messageId.Value!.Trim('/'));
            }
        }

        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (isReceive && answer.StatusCode == HttpStatusCode.OK)
        {
            // A receive's answer is a small XML list: read whole, recorded, then passed on unchanged.
            var body = await answer.Content.ReadAsByteArrayAsync(cancellation);
            Record(body);
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
            return;
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private void Record(byte[] body)
    {
        using var stream = new MemoryStream(body);
        var messages = XDocument.Load(stream).Root?.Elements("QueueMessage") ?? [];
        var now = DateTimeOffset.UtcNow;
        lock (_received)
        {
            foreach (var message in messages)
            {
                _received.Add(new ReceivedMessage(
                    (string?)message.Element("MessageId") ?? "",
                    (string?)message.Element("PopReceipt") ?? "",
                    (long?)message.Element("DequeueCount") ?? 0,
                    (string?)message.Element("MessageText") ?? "",
                    now));
            }
        }
    }
}

/// <summary>One message as a receive through a <see cref="QueueGate"/> handed it out: its text as stored (still encoded).</summary>
public sealed record ReceivedMessage(string MessageId, string PopReceipt, long DequeueCount, string Text, DateTimeOffset ReceivedAt);
