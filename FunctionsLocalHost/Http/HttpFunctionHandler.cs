using System.Diagnostics;
using System.Net;

using FunctionsLocalHost.Rpc;

using Microsoft.AspNetCore.Http;

using Yarp.ReverseProxy.Forwarder;

namespace FunctionsLocalHost;

/// <summary>
/// Serves an HTTP function the way the Functions host serves a worker with ASP.NET Core integration: the request is
/// forwarded (YARP, original path and query, <c>x-ms-invocation-id</c>) to the worker's own HTTP server, which writes
/// the answer, while the invocation request names the function and carries the route and query values. When both are
/// done the queue outputs are written; a failed invocation whose answer has not started gets a bare 500.
/// </summary>
internal sealed class HttpFunctionHandler : IDisposable
{
    internal const string InvocationIdHeader = "x-ms-invocation-id";

    private readonly HttpFunctionRouter _router;
    private readonly FunctionInvoker _invoker;
    private readonly IHttpForwarder _forwarder;
    private readonly Uri _workerUri;
    private readonly HttpMessageInvoker _client;
    private readonly ForwarderRequestConfig _config = new() { ActivityTimeout = TimeSpan.FromSeconds(240) };

    internal HttpFunctionHandler(HttpFunctionRouter router, FunctionInvoker invoker, IHttpForwarder forwarder, Uri workerUri)
    {
        _router = router;
        _invoker = invoker;
        _forwarder = forwarder;
        _workerUri = workerUri;
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

        var stopwatch = Stopwatch.StartNew();
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
        _invoker.Executing(function, request.InvocationId, FunctionInvoker.HttpReason);

        // The forwarded request carries the invocation's trace context, so that the worker's ASP.NET Core span and
        // its invocation span are one trace, as under the Functions host.
        context.Request.Headers.TraceParent = request.TraceContext.TraceParent;
        var forwarding = _forwarder.SendAsync(context, _workerUri.AbsoluteUri, _client, _config).AsTask();
        var channel = _invoker.Channel;
        using var cancel = context.RequestAborted.Register(() => channel.Cancel(request.InvocationId));

        InvocationResponse? response = null;
        Exception? failure = null;
        try
        {
            response = await channel.InvokeAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (WorkerUnavailableException ex)
        {
            failure = ex;
        }

        var forwarded = await forwarding.ConfigureAwait(false);
        if (failure is null && forwarded != ForwarderError.None)
        {
            failure = new InvalidOperationException($"Failed to proxy request with ForwarderError: {forwarded}",
                context.GetForwarderErrorFeature()?.Exception);
        }

        if (!await _invoker.CompleteAsync(function, request.InvocationId, response, failure, stopwatch).ConfigureAwait(false)
            && !context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    }

    public void Dispose() => _client.Dispose();
}
