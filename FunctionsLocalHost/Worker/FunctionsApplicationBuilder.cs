// Mirrors Microsoft.Azure.Functions.Worker 2.52.0 (FunctionsApplication, FunctionsApplicationBuilder) and
// Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore 2.1.1 (ConfigureFunctionsWebApplication).
using System.Reflection;

using FunctionsLocalHost;

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Azure.Functions.Worker.Builder;

/// <summary>Creates the builder of a functions application.</summary>
public class FunctionsApplication
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args)
    {
        // The real worker finds the functions through metadata generated into the app assembly; here the app
        // assembly is the entry assembly, the one whose Program.cs calls this method.
        var functionsAssembly = Assembly.GetEntryAssembly()
            ?? throw new InvalidOperationException("No entry assembly: use LocalFunctionsApplication.CreateBuilder(args, assembly).");
        return new FunctionsApplicationBuilder(args, functionsAssembly);
    }
}

/// <summary>Configures and builds a functions application, as <see cref="HostApplicationBuilder"/> does.</summary>
public class FunctionsApplicationBuilder : IHostApplicationBuilder
{
    private readonly WebApplicationBuilder _web;
    private readonly Assembly _functionsAssembly;

    internal FunctionsApplicationBuilder(string[] args, Assembly functionsAssembly)
    {
        _web = LocalFunctionsHost.CreateWebApplicationBuilder(args);
        _functionsAssembly = functionsAssembly;
    }

    internal bool WebApplicationConfigured { get; set; }

    public IDictionary<object, object> Properties => ((IHostApplicationBuilder)_web).Properties;

    public ConfigurationManager Configuration => _web.Configuration;

    IConfigurationManager IHostApplicationBuilder.Configuration => _web.Configuration;

    public IHostEnvironment Environment => _web.Environment;

    public ILoggingBuilder Logging => _web.Logging;

    public IMetricsBuilder Metrics => _web.Metrics;

    public IServiceCollection Services => _web.Services;

    public IHost Build() => LocalFunctionsHost.Build(_web, _functionsAssembly, WebApplicationConfigured);

    public void ConfigureContainer<TContainerBuilder>(
        IServiceProviderFactory<TContainerBuilder> factory, Action<TContainerBuilder>? configure = null)
        where TContainerBuilder : notnull
        => _web.Host.UseServiceProviderFactory(factory).ConfigureContainer<TContainerBuilder>((_, b) => configure?.Invoke(b));
}

/// <summary>ASP.NET Core integration: functions take <c>HttpRequest</c> and return <c>IActionResult</c>.</summary>
public static class FunctionsApplicationBuilderAspNetCoreExtensions
{
    public static FunctionsApplicationBuilder ConfigureFunctionsWebApplication(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebApplicationConfigured = true;
        return builder;
    }
}
