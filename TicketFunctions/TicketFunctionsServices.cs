using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFunctions.Admin;
using TicketFunctions.Auth;
using TicketFunctions.Bookings;
using TicketFunctions.Catalog;
using TicketFunctions.Common;
using TicketFunctions.Data;
using TicketFunctions.Operations;
using TicketFunctions.Payments;

namespace TicketFunctions;

/// <summary>The app's services, one line per area; Program.cs and the tests' hosts both start here.</summary>
public static class TicketFunctionsServices
{
    public static IServiceCollection AddTicketFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        KeyVaultReferences.ThrowIfUnresolved(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddHttpJson();
        services.AddData(configuration);
        services.AddAuth(configuration);
        services.AddCatalog();
        services.AddBookings(configuration);
        services.AddOperations();
        services.AddPayments(configuration);
        services.AddAdmin();
        return services;
    }
}
