using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Admin;

public static class AdminServices
{
    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AdminService>();
        return services;
    }
}
