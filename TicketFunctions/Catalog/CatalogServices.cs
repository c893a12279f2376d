using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Catalog;

public static class CatalogServices
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<MovieService>();
        services.AddSingleton<TheatreService>();
        services.AddSingleton<ShowtimeService>();
        return services;
    }
}
