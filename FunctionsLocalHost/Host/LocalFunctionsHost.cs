using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace FunctionsLocalHost;

// Placeholder so the skeleton builds; the local host (HTTP dispatch, queues, settings) replaces it.
internal static class LocalFunctionsHost
{
    internal static WebApplicationBuilder CreateWebApplicationBuilder(string[] args) => WebApplication.CreateBuilder(args);

    internal static IHost Build(WebApplicationBuilder builder, Assembly functionsAssembly, bool webApplicationConfigured)
        => builder.Build();
}
