using System.Reflection;

using Microsoft.Azure.Functions.Worker.Builder;

namespace FunctionsLocalHost;

/// <summary>
/// Local-only entry for tests and tools that host a function app in their own process: the same builder that
/// <see cref="FunctionsApplication.CreateBuilder"/> returns, for an assembly that is not the entry assembly.
/// </summary>
public static class LocalFunctionsApplication
{
    public static FunctionsApplicationBuilder CreateBuilder(string[] args, Assembly functionsAssembly)
        => new(args, functionsAssembly);
}
