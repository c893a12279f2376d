using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using TicketFunctions;
using TicketFunctions.Auth;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Telemetry;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
// Outermost first: an unhandled exception becomes a problem 500; then each function's [Access] is enforced.
builder.UseMiddleware<ExceptionMiddleware>();
builder.UseMiddleware<AuthorizationMiddleware>();
builder.Services.AddTicketFunctions(builder.Configuration);
builder.Services.AddAppTelemetry(builder.Configuration);

var app = builder.Build();
await app.Services.InitializeDatabaseAsync();
await app.RunAsync();
