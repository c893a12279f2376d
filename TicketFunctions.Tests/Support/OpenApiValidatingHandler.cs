namespace TicketFunctions.Tests.Support;

/// <summary>
/// Checks every answer an end-to-end test receives against the app's OpenAPI 3.1 document: the status must be one the
/// operation lists, the media type one that answer lists, and a JSON body must validate against its schema (JSON Schema
/// 2020-12, which a 3.1 document's schemas are, with JsonSchema.Net). A request that matches no operation (a path or
/// method the app does not serve, answered by the host) is passed through unchecked. A mismatch throws
/// <see cref="OpenApiMismatchException"/> from the client's send, so the test that received the answer fails.
/// </summary>
public sealed class OpenApiValidatingHandler : DelegatingHandler
{
    public OpenApiValidatingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    public OpenApiValidatingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (OpenApiContract.Instance.Find(request.Method, request.RequestUri!) is not { } operation || RefusedByTheServer(response))
        {
            return response;
        }

        var body = "";
        if (response.Content is not null)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var problem = operation.Check((int)response.StatusCode, response.Content?.Headers.ContentType?.MediaType, body);
        if (problem is not null)
        {
            response.Dispose();
            throw new OpenApiMismatchException($"{request.Method} {request.RequestUri!.PathAndQuery} answered {(int)response.StatusCode} not as the document says ({operation.Id}): {problem}\n{Shorten(body)}");
        }

        return response;
    }

    // Kestrel's own refusal of a request it cannot parse (a NUL in the path, a line or header too long): a 4xx with no
    // body that closes the connection, before any route is chosen; the app's own 4xx answers are problems and keep it open.
    private static bool RefusedByTheServer(HttpResponseMessage response)
        => (int)response.StatusCode is >= 400 and < 500 && response.Headers.ConnectionClose == true && response.Content.Headers.ContentLength == 0;

    private static string Shorten(string body) => body.Length > 2000 ? body[..2000] + "..." : body;
}
