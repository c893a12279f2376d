using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Bookings;

public static class BookingsServices
{
    public static IServiceCollection AddBookings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BookingOptions>().Bind(configuration.GetSection("Bookings")).ValidateDataAnnotations().ValidateOnStart();

        // A factory, so the container is valid without an IPaymentGateway (the payments area registers it); the
        // gateway is resolved when BookingService is first used.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<BookingService>(sp));
        return services;
    }
}
