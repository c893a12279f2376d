namespace FunctionsLocalHost;

/// <summary>
/// Tries a forwarded request again when it cannot reach the worker, as the Functions host's RetryProxyHandler does
/// (up to 10 tries, 50 ms apart doubling to 250 ms): the worker reports its HTTP address before its own Kestrel
/// listens, so a request that comes right after start-up can find nothing there yet.
/// </summary>
internal sealed class WorkerConnectRetryHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int Tries = 10;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMilliseconds(250);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (attempt < Tries)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 > LongestDelay ? LongestDelay : delay * 2;
            }
        }
    }
}
