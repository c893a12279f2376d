using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TicketFunctions.Benchmarks.ReferenceApp;

// The same set-up as the app's Program.cs (FunctionsApplication + ConfigureFunctionsWebApplication), and nothing else:
// one RawStore over the database the settings name (Database__Provider, Database__Path, Database__ConnectionString).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddSingleton(_ => RawStore.Create(name => builder.Configuration[name]));
await builder.Build().RunAsync();
