using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Bookings;

public static class BookingsServices
{
    public static IServiceCollection AddBookings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BookingOptions>().Bind(configuration.GetSection("Bookings")).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<ShowtimeGates>();
        services.AddSingleton<BookingService>();
        return services;
    }
}
