using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using TicketFunctions;
using TicketFunctions.Data;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddTicketFunctions(builder.Configuration);

var app = builder.Build();
await app.Services.InitializeDatabaseAsync();
await app.RunAsync();
