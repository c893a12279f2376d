using System.Diagnostics;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.OpenApi;

/// <summary>The served document passes Redocly's linter (the repo's recommended ruleset, see redocly.yaml).</summary>
public sealed class OpenApiLintTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_served_document_passes_redocly_lint()
    {
        await using var app = await TestApp.StartAsync();
        var request = app.Request("GET", "/api/openapi/v3.json");
        var served = await app.Call(() => TicketFunctions.OpenApi.OpenApiFunctions.Document(request));
        Assert.Equal(200, served.Status);
        var file = Path.Combine(app.Directory, "openapi.json");
        await File.WriteAllTextAsync(file, served.Body);

        var root = Repository.Root;
        var redocly = Path.Combine(root, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), $"{redocly} is missing: run 'npm ci' in {root}.");

        var (code, text) = await Repository.RunAsync(
            redocly,
            ["lint", file, "--format=stylish", "--config", Path.Combine(root, "TicketFunctions.Tests", "OpenApi", "redocly.yaml")],
            root,
            new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
        output.WriteLine(text);

        Assert.True(code == 0, text);
        Assert.Contains("Your API description is valid", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s*\d+:\d+\s+(warning|error)\b", text);
        Assert.DoesNotContain("Your config has", text, StringComparison.Ordinal);
    }
}

/// <summary>The repository checkout the tests run from, and a way to run its npm tools.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static async Task<(int Code, string Output)> RunAsync(
        string file, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} did not finish in time:\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "package.json")) && File.Exists(Path.Combine(directory.FullName, "TicketFunctions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (package.json beside TicketFunctions.sln) was not found above " + AppContext.BaseDirectory);
    }
}
