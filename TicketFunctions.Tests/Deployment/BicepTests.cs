using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TicketFunctions.Tests.OpenApi;
using TicketFunctions.Tests.Support;
using Xunit.Abstractions;

namespace TicketFunctions.Tests.Deployment;

/// <summary>
/// infra/ (the Azure deployment) compiles and lints clean with the pinned Bicep CLI, and the compiled template holds
/// what the app needs on Azure. Nothing here reaches Azure: what ARM itself would refuse is out of reach.
/// </summary>
public sealed partial class BicepTests(CompiledTemplate compiled, ITestOutputHelper output) : IClassFixture<CompiledTemplate>
{
    private static readonly string[] SecretSettings = ["Jwt__SigningKey", "Admin__Password", "Database__ConnectionString"];

    [Fact]
    public void Bicep_build_compiles_the_deployment_with_no_diagnostic()
    {
        output.WriteLine(compiled.BuildOutput);
        Assert.True(compiled.BuildExitCode == 0, compiled.BuildOutput);
        Assert.DoesNotMatch(Diagnostic, compiled.BuildOutput);
    }

    [Fact]
    public async Task Bicep_lint_finds_nothing_in_the_deployment()
    {
        var (code, text) = await CompiledTemplate.RunBicepAsync("lint", Path.Combine(CompiledTemplate.InfraDirectory, "main.bicep"));
        output.WriteLine(text);

        Assert.True(code == 0, text);
        Assert.DoesNotMatch(Diagnostic, text);
    }

    [Fact]
    public void The_function_app_runs_on_a_Flex_Consumption_plan_with_dotnet_isolated_10()
    {
        var plan = Assert.Single(compiled.Resources("Microsoft.Web/serverfarms"));
        Assert.Equal("FC1", (string?)plan["sku"]?["name"]);
        Assert.Equal("FlexConsumption", (string?)plan["sku"]?["tier"]);

        var app = compiled.FunctionApp;
        Assert.Equal("functionapp,linux", (string?)app["kind"]);
        var config = app["properties"]?["functionAppConfig"];
        Assert.Equal("dotnet-isolated", (string?)config?["runtime"]?["name"]);
        Assert.Equal("10.0", (string?)config?["runtime"]?["version"]);
        Assert.Equal("blobContainer", (string?)config?["deployment"]?["storage"]?["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)config?["deployment"]?["storage"]?["authentication"]?["type"]);
        Assert.NotNull(config?["scaleAndConcurrency"]?["maximumInstanceCount"]);

        // Flex Consumption takes these from functionAppConfig and rejects or ignores them as app settings.
        string[] deprecated = ["FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING"];
        Assert.Empty(compiled.AppSettings.Keys.Intersect(deprecated, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_app_gets_every_setting_it_reads_with_postgres_as_the_store()
    {
        string[] required = ["Database__Provider", "Database__ConnectionString", "Jwt__SigningKey", "Jwt__Issuer", "Jwt__Audience", "Admin__Email", "Admin__Password", "APPLICATIONINSIGHTS_CONNECTION_STRING"];
        Assert.Empty(required.Except(compiled.AppSettings.Keys));
        Assert.Equal("postgres", compiled.AppSettings["Database__Provider"]);
    }

    [Fact]
    public void Every_setting_a_trigger_names_is_set_in_the_deployment_and_in_the_example_file()
    {
        // The host refuses a trigger whose %setting% is missing, so each one the build's functions.metadata names
        // (the timers' schedules) must be an app setting in Azure and a value in local.settings.json.example.
        var metadata = File.ReadAllText(Path.Combine(TicketFunctions.Tests.Support.LocalHostApp.AppDirectory, "functions.metadata"));
        var named = SettingReference.Matches(metadata).Select(m => m.Groups[1].Value).Distinct().ToList();
        var example = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "local.settings.json.example")))!["Values"]!.AsObject();

        Assert.Contains("Refunds__SweepSchedule", named);
        Assert.Contains("Maintenance__Schedule", named);
        Assert.Empty(named.Except(compiled.AppSettings.Keys));
        Assert.DoesNotContain(named, name => !example.ContainsKey(name));
    }

    [Fact]
    public void Secrets_reach_the_app_only_as_Key_Vault_references_read_by_its_identity()
    {
        foreach (var name in SecretSettings)
        {
            Assert.Contains("@Microsoft.KeyVault(SecretUri=", compiled.AppSettings[name], StringComparison.Ordinal);
        }

        // No app setting carries a secret parameter itself.
        foreach (var parameter in compiled.SecureParameters)
        {
            Assert.DoesNotContain(compiled.AppSettings.Values, value => value.Contains($"parameters('{parameter}')", StringComparison.Ordinal));
        }

        Assert.Contains("jwtSigningKey", compiled.SecureParameters);
        Assert.Contains("adminPassword", compiled.SecureParameters);
        Assert.Contains("postgresAdminPassword", compiled.SecureParameters);

        var vault = Assert.Single(compiled.Resources("Microsoft.KeyVault/vaults"));
        Assert.True((bool?)vault["properties"]?["enableRbacAuthorization"]);
        Assert.NotNull(compiled.FunctionApp["properties"]?["keyVaultReferenceIdentity"]);
        Assert.Contains(RoleIds.KeyVaultSecretsUser, compiled.RoleDefinitionIds);
    }

    [Fact]
    public void Host_storage_is_identity_based_and_the_account_has_no_keys_in_use()
    {
        var settings = compiled.AppSettings;
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("AzureWebJobsStorage__queueServiceUri", settings.Keys);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri", settings.Keys);
        Assert.Contains("AzureWebJobsStorage__clientId", settings.Keys);

        var account = Assert.Single(compiled.Resources("Microsoft.Storage/storageAccounts"));
        Assert.False((bool?)account["properties"]?["allowSharedKeyAccess"]);
        Assert.DoesNotContain("listKeys(", compiled.Text, StringComparison.Ordinal);

        Assert.Contains(RoleIds.StorageBlobDataOwner, compiled.RoleDefinitionIds);
        Assert.Contains(RoleIds.StorageQueueDataContributor, compiled.RoleDefinitionIds);
    }

    [Fact]
    public void Every_queue_the_app_triggers_on_or_sends_to_is_created_by_the_deployment_and_by_the_test_fixtures()
    {
        // The Functions host creates no trigger queue (the queues extension's QueueListener polls a missing one as
        // empty), so the deployment must; the tests and the benchmarks create the same list in Azurite (AppQueues).
        var bound = AppBindingQueueNames();
        var deployed = compiled.Resources("Microsoft.Storage/storageAccounts/queueServices/queues")
            .Select(q => QueueResourceName().Match((string)q["name"]!))
            .Select(m => m.Success ? m.Groups[1].Value : "(a name this test cannot read)")
            .ToHashSet();

        Assert.Equal(["payments", "payments-poison"], bound.Order(StringComparer.Ordinal));
        Assert.Equal(bound, deployed);
        Assert.Equal(bound, AppQueues.Names.ToHashSet());
    }

    /// <summary>The queue names of every queue trigger and queue output in the app's functions.metadata.</summary>
    private static HashSet<string> AppBindingQueueNames()
    {
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(LocalHostApp.AppDirectory, "functions.metadata")))!.AsArray();
        var names = metadata
            .SelectMany(function => function!["bindings"]!.AsArray())
            .Where(binding => (string?)binding!["type"] is { } type && (type.Equals("queueTrigger", StringComparison.OrdinalIgnoreCase) || type.Equals("queue", StringComparison.OrdinalIgnoreCase)))
            .Select(binding => (string)binding!["queueName"]!)
            .ToHashSet();
        Assert.DoesNotContain(names, name => name.Contains('%', StringComparison.Ordinal));
        return names;
    }

    [GeneratedRegex(@"'([a-z0-9-]+)'\)\]$")]
    private static partial Regex QueueResourceName();

    [Fact]
    public void PostgreSQL_flexible_server_allows_btree_gist_and_Azure_services_only()
    {
        Assert.Single(compiled.Resources("Microsoft.DBforPostgreSQL/flexibleServers"));
        var extensions = Assert.Single(compiled.Resources("Microsoft.DBforPostgreSQL/flexibleServers/configurations"));
        Assert.Contains("'azure.extensions'", (string?)extensions["name"], StringComparison.Ordinal);
        Assert.Contains("BTREE_GIST", (string?)extensions["properties"]?["value"], StringComparison.Ordinal);

        var rule = Assert.Single(compiled.Resources("Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"));
        Assert.Equal("0.0.0.0", (string?)rule["properties"]?["startIpAddress"]);
        Assert.Equal("0.0.0.0", (string?)rule["properties"]?["endIpAddress"]);
    }

    [Fact]
    public void Application_Insights_takes_telemetry_from_the_identity_only()
    {
        var insights = Assert.Single(compiled.Resources("Microsoft.Insights/components"));
        Assert.True((bool?)insights["properties"]?["DisableLocalAuth"]);
        Assert.Contains("Authorization=AAD", compiled.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Contains(RoleIds.MonitoringMetricsPublisher, compiled.RoleDefinitionIds);
    }

    [Fact]
    public void Host_and_worker_send_OpenTelemetry_to_Application_Insights_as_the_identity()
    {
        // The host in OpenTelemetry mode (Flex Consumption supports it), and the worker's exporter authenticates with
        // the client id that the authentication string names (Telemetry/TelemetryServices.cs reads it).
        var hostJson = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")))!;
        Assert.Equal("OpenTelemetry", (string?)hostJson["telemetryMode"]);
        Assert.Equal("FC1", (string?)Assert.Single(compiled.Resources("Microsoft.Web/serverfarms"))["sku"]?["name"]);
        Assert.Contains("ClientId=", compiled.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Contains("clientId", compiled.AppSettings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.False(compiled.AppSettings.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"), "Azure exports to Application Insights only");
    }

    [Fact]
    public void Azd_deploys_the_app_project_to_the_function_app_its_service_name_tags()
    {
        var azureYaml = File.ReadAllText(Path.Combine(Repository.Root, "azure.yaml"));
        var service = Regex.Match(azureYaml, @"(?m)^services:\s*\n\s+(?<name>[\w-]+):\s*\n(?<body>(?:\s{4,}.*\n)+)");
        Assert.True(service.Success, azureYaml);
        Assert.Contains("host: function", service.Groups["body"].Value, StringComparison.Ordinal);
        var project = Regex.Match(service.Groups["body"].Value, @"project:\s*(?<path>\S+)").Groups["path"].Value;
        Assert.True(File.Exists(Path.Combine(Repository.Root, project, "TicketFunctions.csproj")), project);

        // The tags are an expression (the environment's tags plus this one), so the test reads its text.
        Assert.Contains($"'azd-service-name', '{service.Groups["name"].Value}'", (string?)compiled.FunctionApp["tags"], StringComparison.Ordinal);
    }

    private static readonly Regex SettingReference = new("\"%([A-Za-z0-9_]+)%\"", RegexOptions.None, TimeSpan.FromSeconds(1));

    private static readonly Regex Diagnostic = new(@"\b(Warning|Error)\s+[\w-]+:", RegexOptions.None, TimeSpan.FromSeconds(1));

    private static class RoleIds
    {
        public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
        public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
        public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
        public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    }
}

/// <summary>infra/main.bicep compiled once by the Bicep CLI that restore downloaded (see the test project).</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    public static string InfraDirectory { get; } = Path.Combine(Repository.Root, "infra");

    private static readonly string BicepPath = typeof(CompiledTemplate).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BicepPath").Value!;

    private readonly string _directory = Directory.CreateTempSubdirectory("bicep-").FullName;
    private List<JsonObject> _resources = [];
    private Dictionary<string, JsonNode?> _variables = [];

    public int BuildExitCode { get; private set; }

    public string BuildOutput { get; private set; } = "";

    public string Text { get; private set; } = "";

    /// <summary>Names of the template's secure parameters, at every level.</summary>
    public IReadOnlySet<string> SecureParameters { get; private set; } = new HashSet<string>();

    public JsonObject FunctionApp => Resources("Microsoft.Web/sites").Single();

    public IReadOnlyDictionary<string, string> AppSettings => FunctionApp["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
        .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!);

    /// <summary>The role definition ids the role assignments grant, with <c>variables('x').y</c> looked up.</summary>
    public IReadOnlyList<string> RoleDefinitionIds => [.. Resources("Microsoft.Authorization/roleAssignments")
        .Select(r => (string)r["properties"]!["roleDefinitionId"]!)
        .Select(id => Regex.Replace(id, @"variables\('(?<name>\w+)'\)\.(?<member>\w+)", m => (string?)_variables[m.Groups["name"].Value]?[m.Groups["member"].Value] ?? m.Value, RegexOptions.None, TimeSpan.FromSeconds(1)))
        .Select(id => Regex.Match(id, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.None, TimeSpan.FromSeconds(1)).Value)];

    public IEnumerable<JsonObject> Resources(string type) =>
        _resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public static async Task<(int Code, string Output)> RunBicepAsync(params string[] arguments)
    {
        Assert.True(File.Exists(BicepPath), $"The Bicep CLI is missing at {BicepPath}: restore the test project (PackageDownload Azure.Bicep.CommandLine.linux-x64).");
        return await Repository.RunAsync(
            BicepPath,
            arguments,
            InfraDirectory,
            // Keep the CLI offline and quiet: no telemetry, no version check.
            new Dictionary<string, string> { ["BICEP_TELEMETRY_ENABLED"] = "false", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });
    }

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_directory, "main.json");
        (BuildExitCode, BuildOutput) = await RunBicepAsync("build", Path.Combine(InfraDirectory, "main.bicep"), "--outfile", file);
        if (BuildExitCode != 0)
        {
            return;
        }

        Text = await File.ReadAllTextAsync(file);
        var template = JsonNode.Parse(Text)!.AsObject();
        _resources = [.. AllResources(template)];
        _variables = AllTemplates(template).SelectMany(t => t["variables"]?.AsObject() ?? []).ToDictionary(v => v.Key, v => v.Value);
        SecureParameters = AllTemplates(template)
            .SelectMany(t => t["parameters"]?.AsObject() ?? [])
            .Where(p => string.Equals((string?)p.Value?["type"], "securestring", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.Key)
            .ToHashSet();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    // Modules compile to nested deployments whose template sits inline.
    private static IEnumerable<JsonObject> AllTemplates(JsonObject template)
    {
        yield return template;
        foreach (var resource in template["resources"]?.AsArray().OfType<JsonObject>() ?? [])
        {
            if (resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in AllTemplates(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<JsonObject> AllResources(JsonObject template) =>
        AllTemplates(template).SelectMany(t => t["resources"]?.AsArray().OfType<JsonObject>() ?? []);
}
