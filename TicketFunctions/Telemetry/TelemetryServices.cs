using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TicketFunctions.Telemetry;

/// <summary>
/// OpenTelemetry in the worker: traces, metrics and logs, exported to Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set, to OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the
/// standard <c>OTEL_*</c> variables tune it), to both when both are, and nowhere (not even collected) when neither is.
/// </summary>
public static class TelemetryServices
{
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddAppTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var azureMonitor = configuration[AzureMonitorSetting];
        var otlp = configuration[OtlpSetting];
        if (string.IsNullOrWhiteSpace(azureMonitor) && string.IsNullOrWhiteSpace(otlp))
        {
            return services;
        }

        // Scopes carry the worker's invocation id and function name onto every log record; trace and span ids come
        // from the current activity.
        services.Configure<OpenTelemetryLoggerOptions>(logs =>
        {
            logs.IncludeScopes = true;
            logs.IncludeFormattedMessage = true;
        });

        // UseFunctionsWorkerDefaults: the worker's invocation spans, the Functions resource (service.name is the site
        // name in Azure), and the capability that stops the host from sending the worker's telemetry a second time.
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddSource(AppActivities.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(AppMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsqlInstrumentation())
            .WithLogging();

        if (!string.IsNullOrWhiteSpace(otlp))
        {
            telemetry.UseOtlpExporter();
        }

        if (!string.IsNullOrWhiteSpace(azureMonitor))
        {
            var clientId = ManagedIdentityClientId(configuration[AzureMonitorAuthenticationSetting]);
            telemetry.UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = azureMonitor;
                if (clientId is not null)
                {
                    exporter.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }

        return services;
    }

    /// <summary>
    /// The client id in <c>Authorization=AAD;ClientId=...</c>, the Functions host's own setting for Entra-only
    /// Application Insights (infra/ sets it): the exporter takes a credential rather than that string.
    /// </summary>
    public static string? ManagedIdentityClientId(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication))
        {
            return null;
        }

        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Authorization", out var kind) && kind.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            && parts.TryGetValue("ClientId", out var id) && id.Length > 0
            ? id
            : null;
    }
}
