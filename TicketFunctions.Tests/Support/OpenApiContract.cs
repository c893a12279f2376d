using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.Support;

/// <summary>The served document's operations, each with a validator per answer and media type, built once per test run.</summary>
internal sealed class OpenApiContract
{
    private static readonly Lazy<OpenApiContract> Lazy = new(() => new OpenApiContract(ServedDocument()));

    private readonly List<(string Method, Regex Path, OpenApiOperationContract Operation)> _operations = [];

    private OpenApiContract(JsonNode document)
    {
        var server = document["servers"]![0]!["url"]!.GetValue<string>().TrimEnd('/');
        var definitions = document["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(server + path), @"\\\{\w+}", "[^/]+") + "$", RegexOptions.CultureInvariant);
            foreach (var (method, operation) in item!.AsObject())
            {
                _operations.Add((method.ToUpperInvariant(), pattern, new OpenApiOperationContract(operation!, definitions)));
            }
        }
    }

    public static OpenApiContract Instance => Lazy.Value;

    public OpenApiOperationContract? Find(HttpMethod method, Uri uri)
        => _operations.FirstOrDefault(o => o.Method == method.Method && o.Path.IsMatch(uri.AbsolutePath)).Operation;

    // The document the app serves: the same build, the same factory and the same version as OpenApiFunctions.
    private static JsonNode ServedDocument()
    {
        var document = OpenApiDocumentFactory.Build(typeof(TicketFunctionsServices).Assembly, TicketFunctions.Common.Json.Options);
        return JsonNode.Parse(document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1).GetAwaiter().GetResult())!;
    }
}
