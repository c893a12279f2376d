using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace FunctionsLocalHost.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("localhost-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Environment_variables_win_over_local_settings_Values_and_double_underscore_maps_to_sections()
    {
        var name = $"LocalHostTest{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine(_directory, "local.settings.json"), $$"""
            {
              "IsEncrypted": false,
              "Values": {
                "{{name}}__Winner": "local.settings.json",
                "{{name}}__FileOnly": "from the file",
                "AzureWebJobsStorage": "UseDevelopmentStorage=true"
              }
            }
            """);
        Environment.SetEnvironmentVariable($"{name}__Winner", "environment");
        try
        {
            var configuration = new ConfigurationManager();
            configuration.AddEnvironmentVariables();
            configuration.AddCommandLine(["--Other=command line"]);

            LocalSettings.AddTo(configuration, _directory);

            Assert.Equal("environment", configuration[$"{name}:Winner"]);
            Assert.Equal("from the file", configuration.GetSection(name)["FileOnly"]);
            Assert.Equal("UseDevelopmentStorage=true", configuration["AzureWebJobsStorage"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{name}__Winner", null);
        }
    }

    [Fact]
    public void Host_json_queue_and_http_settings_are_read_with_the_real_defaults()
    {
        File.WriteAllText(Path.Combine(_directory, "host.json"), """
            {
              "version": "2.0",
              "logging": { "logLevel": { "default": "Warning" } },
              "extensions": {
                "http": { "routePrefix": "/v1/" },
                "queues": { "batchSize": 10, "maxPollingInterval": "00:00:02", "messageEncoding": "none" }
              }
            }
            """);
        var configuration = new ConfigurationManager();

        LocalSettings.AddTo(configuration, _directory);
        var settings = HostSettings.From(configuration);

        Assert.Equal("v1", settings.RoutePrefix);
        Assert.Equal(new QueueSettings(10, 5, TimeSpan.FromSeconds(2), TimeSpan.Zero, 5, Base64: false), settings.Queues);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void Without_host_json_the_route_prefix_is_api_and_queues_use_the_host_defaults()
    {
        var settings = HostSettings.From(new ConfigurationManager());

        Assert.Equal("api", settings.RoutePrefix);
        Assert.Equal(new QueueSettings(16, 8, TimeSpan.FromMinutes(1), TimeSpan.Zero, 5, Base64: true), settings.Queues);
    }

    [Fact]
    public void An_encrypted_local_settings_file_fails_with_a_clear_message()
    {
        File.WriteAllText(Path.Combine(_directory, "local.settings.json"), """{ "IsEncrypted": true, "Values": { "A": "xyz" } }""");

        var error = Assert.Throws<InvalidOperationException>(() => LocalSettings.AddTo(new ConfigurationManager(), _directory));

        Assert.Contains("IsEncrypted", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], 7071)]
    [InlineData(new[] { "--port", "0" }, 0)]
    [InlineData(new[] { "--port=8080" }, 8080)]
    public void The_port_comes_from_the_port_argument_as_with_func_start(string[] args, int port)
    {
        Assert.Equal(port, LocalFunctionsHost.Port(args));
    }

    [Fact]
    public void The_host_builder_puts_the_local_settings_below_the_environment_variables_and_the_command_line()
    {
        var builder = LocalFunctionsHost.CreateWebApplicationBuilder(["--port", "0"]);
        var sources = ((IConfigurationBuilder)builder.Configuration).Sources;

        var local = sources.Select((s, i) => (s, i)).Single(x => x.s is MemoryConfigurationSource m
            && m.InitialData?.Any(kv => kv.Key == "Logging:LogLevel:Microsoft.AspNetCore") == true).i;
        var environment = sources.Select((s, i) => (s, i)).Last(x => x.s is EnvironmentVariablesConfigurationSource { Prefix: null or "" }).i;
        var commandLine = sources.Select((s, i) => (s, i)).Last(x => x.s is CommandLineConfigurationSource).i;

        Assert.True(local < environment && environment < commandLine, $"local {local}, environment {environment}, command line {commandLine}");
        Assert.Equal("0", builder.Configuration["port"]);
    }
}
