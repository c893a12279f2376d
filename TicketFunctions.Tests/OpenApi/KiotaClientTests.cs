using System.Text.Json;
using System.Text.RegularExpressions;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>
/// A client generated from the document works unedited: Kiota (the dotnet tool pinned in .config/dotnet-tools.json)
/// generates a C# client from the document the running app serves, TicketFunctions.KiotaClient compiles it beside its
/// flow, and the flow runs against the same app using only the generated client.
/// </summary>
public sealed partial class KiotaClientTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_kiota_client_of_the_served_document_runs_the_whole_flow_and_calls_every_operation()
    {
        await using var app = await LocalHostApp.StartAsync();
        var served = await app.Client.GetStringAsync(new Uri("api/openapi/v3.json", UriKind.Relative));
        var work = Path.Combine(app.Directory, "kiota");
        var generated = Path.Combine(work, "client");
        Directory.CreateDirectory(work);
        var documentFile = Path.Combine(work, "openapi.json");
        await File.WriteAllTextAsync(documentFile, served);

        // No update check: the generator runs where GitHub may not be reachable, and that check's warning is not the document's.
        var environment = new Dictionary<string, string> { ["KIOTA_OFFLINE_ENABLED"] = "true", ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        await Run(["tool", "restore"], environment);
        var generation = await Run(
            ["kiota", "generate", "--language", "CSharp", "--openapi", documentFile, "--output", generated, "--namespace-name", "TicketClient",
             "--class-name", "TicketApiClient", "--log-level", "Warning", "--clean-output", "--exclude-backward-compatible"],
            environment);
        Assert.True(!GeneratorWarning().IsMatch(generation), "Kiota warned about the document:\n" + generation);
        Assert.True(File.Exists(Path.Combine(generated, "TicketApiClient.cs")), generation);

        var project = Path.Combine(Repository.Root, "TicketFunctions.KiotaClient", "TicketFunctions.KiotaClient.csproj");
        var bin = Path.Combine(work, "bin");
        await Run(["build", project, "-p:GeneratedClient=" + generated, "--output", bin, "-nologo", "-v", "q", "-clp:ErrorsOnly"], environment);
        var flow = await Run(
            [Path.Combine(bin, "TicketFunctions.KiotaClient.dll"), app.BaseAddress.ToString(), TestApp.AdminEmail, TestApp.AdminPassword], environment);
        Assert.Contains("every step answered as documented", flow, StringComparison.Ordinal);

        // The host's log is the request log of the run: each operation of the document ran at least once.
        var operations = JsonDocument.Parse(served).RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => operation.Value.GetProperty("operationId").GetString()!))
            .ToHashSet(StringComparer.Ordinal);
        var invoked = app.Log.Lines.Select(line => ExecutingLine().Match(line)).Where(m => m.Success).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        Assert.True(operations.Count > 20, $"the document has only {operations.Count} operations");
        Assert.Empty(operations.Except(invoked).Order(StringComparer.Ordinal));
    }

    private async Task<string> Run(IReadOnlyList<string> arguments, IDictionary<string, string> environment)
    {
        var (code, text) = await Repository.RunAsync("dotnet", arguments, Repository.Root, environment, ToolTimeout);
        output.WriteLine($"dotnet {string.Join(' ', arguments)}\n{text}");
        Assert.True(code == 0, $"dotnet {string.Join(' ', arguments)} exited with {code}:\n{text}");
        return text;
    }

    // Kiota's console logger: "warn: Kiota.Builder.KiotaBuilder[...]" then the message (OpenAPI warning: ...).
    [GeneratedRegex(@"(?m)^\s*(warn|fail|crit):")]
    private static partial Regex GeneratorWarning();

    // The host's line before each invocation, as the real host writes it.
    [GeneratedRegex(@"Executing 'Functions\.(?<name>[A-Za-z0-9_]+)'")]
    private static partial Regex ExecutingLine();
}
