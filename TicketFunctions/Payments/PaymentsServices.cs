using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Payments;

public static class PaymentsServices
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<SimulatedPaymentGateway>();
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        services.AddSingleton<PaymentService>();
        services.AddSingleton<PaymentProcessor>();
        services.AddOptions<RefundOptions>().Bind(configuration.GetSection("Refunds")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Refunds>();
        services.AddSingleton<RefundSweep>();
        services.AddSingleton<PendingPaymentResender>();
        services.AddHostedService(sp => sp.GetRequiredService<PendingPaymentResender>());
        return services;
    }
}
