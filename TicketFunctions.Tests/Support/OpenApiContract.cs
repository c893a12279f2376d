using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using TicketFunctions.OpenApi;

namespace TicketFunctions.Tests.Support;

/// <summary>The served document's operations, each with a validator per answer and media type, built once per test run.</summary>
internal sealed class OpenApiContract
{
    private static readonly Lazy<OpenApiContract> Lazy = new(() => new OpenApiContract(ServedDocument()));

    private readonly List<(string Method, Regex Path, string[] Integers, OpenApiOperationContract Operation)> _operations = [];

    private OpenApiContract(JsonNode document)
    {
        var server = document["servers"]![0]!["url"]!.GetValue<string>().TrimEnd('/');
        var definitions = document["components"]!["schemas"]!.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var pattern = new Regex("^" + Regex.Replace(Regex.Escape(server + path), @"\\\{(\w+)}", "(?<$1>[^/]+)") + "$", RegexOptions.CultureInvariant);
            foreach (var (method, operation) in item!.AsObject())
            {
                var integers = (operation!["parameters"]?.AsArray() ?? []).Where(p => p!["in"]!.GetValue<string>() == "path" && p["schema"]?["type"]?.GetValue<string>() == "integer")
                    .Select(p => p!["name"]!.GetValue<string>()).ToArray();
                _operations.Add((method.ToUpperInvariant(), pattern, integers, new OpenApiOperationContract(operation, definitions)));
            }
        }
    }

    public static OpenApiContract Instance => Lazy.Value;

    /// <summary>
    /// The operation a request reaches, or null. A route's integer parameter is its {id:long} constraint: a value that is
    /// not a long matches no route, and the host answers 404 without the app (as the real host does for a constraint).
    /// </summary>
    public OpenApiOperationContract? Find(HttpMethod method, Uri uri)
        => _operations.Select(o => (o, Match: o.Path.Match(uri.AbsolutePath)))
            .FirstOrDefault(x => x.o.Method == method.Method && x.Match.Success
                && x.o.Integers.All(name => long.TryParse(Uri.UnescapeDataString(x.Match.Groups[name].Value), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)))
            .o.Operation;

    // The document the app serves: the same build, the same factory and the same version as OpenApiFunctions.
    private static JsonNode ServedDocument()
    {
        var document = OpenApiDocumentFactory.Build(typeof(TicketFunctionsServices).Assembly, TicketFunctions.Common.Json.Options);
        return JsonNode.Parse(document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1).GetAwaiter().GetResult())!;
    }
}
