using System.Net;

using FunctionsLocalHost.Rpc;

using Microsoft.AspNetCore.Http;

using Yarp.ReverseProxy.Forwarder;

namespace FunctionsLocalHost;

/// <summary>
/// Serves an HTTP function the way the Functions host serves a worker with ASP.NET Core integration: the request is
/// forwarded (YARP, original path and query, <c>x-ms-invocation-id</c>) to the HTTP server of the worker that runs the
/// invocation (each worker process picks its own port), which writes the answer, while the invocation request names the
/// function and carries the route and query values. When both are done the queue outputs are written; a failed
/// invocation whose answer has not started gets a bare 500 (a timeout and a dead worker included).
/// </summary>
internal sealed class HttpFunctionHandler : IDisposable
{
    internal const string InvocationIdHeader = "x-ms-invocation-id";

    private readonly HttpFunctionRouter _router;
    private readonly FunctionInvoker _invoker;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _config = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    internal HttpFunctionHandler(HttpFunctionRouter router, FunctionInvoker invoker, IHttpForwarder forwarder)
    {
        _router = router;
        _invoker = invoker;
        _forwarder = forwarder;
        _client = new HttpMessageInvoker(new WorkerConnectRetryHandler(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        }));
    }

    internal async Task HandleAsync(HttpContext context)
    {
        if (_router.Match(context) is not var (function, routeValues))
        {
            // The Functions host answers an unknown path, and a method a route does not take, with an empty 404.
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var request = FunctionInvoker.Request(function, new TypedData { Http = new RpcHttp() });
        foreach (var (key, values) in context.Request.Query)
        {
            request.TriggerMetadata[key] = new TypedData { String = values.ToString() };
        }

        foreach (var (key, value) in HttpFunctionRouter.Strings(routeValues))
        {
            request.TriggerMetadata[key] = new TypedData { String = value };
        }

        context.Request.Headers[InvocationIdHeader] = request.InvocationId;
        // The forwarded request carries the invocation's trace context, so that the worker's ASP.NET Core span and
        // its invocation span are one trace, as under the Functions host.
        context.Request.Headers.TraceParent = request.TraceContext.TraceParent;

        StartedWorker? worker = null;
        using var aborted = context.RequestAborted.Register(() => worker?.Channel.Cancel(request.InvocationId));
        var succeeded = await _invoker.InvokeAsync(function, request, FunctionInvoker.HttpReason, CancellationToken.None, (chosen, cancellationToken) =>
        {
            worker = chosen;
            return ForwardAsync(context, chosen, cancellationToken);
        }).ConfigureAwait(false);
        if (!succeeded && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// As in the real host, a forwarding error fails the invocation (DefaultHttpProxyService.EnsureSuccessfulForwardingAsync).
    /// </summary>
    private async Task<Exception?> ForwardAsync(HttpContext context, StartedWorker worker, CancellationToken cancellationToken)
    {
        if (worker.HttpUri is not { } uri)
        {
            return new InvalidOperationException("The worker reported no HttpUri, so HTTP functions cannot be forwarded to it.");
        }

        var error = await _forwarder.SendAsync(context, uri.AbsoluteUri, _client, _config, HttpTransformer.Default, cancellationToken).ConfigureAwait(false);
        return error == ForwarderError.None
            ? null
            : new InvalidOperationException($"Failed to proxy request with ForwarderError: {error}", context.GetForwarderErrorFeature()?.Exception);
    }
}
