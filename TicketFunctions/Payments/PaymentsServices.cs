using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace TicketFunctions.Payments;

public static class PaymentsServices
{
    public static IServiceCollection AddPayments(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SimulatedGatewayOptions>().Bind(configuration.GetSection(SimulatedGatewayOptions.Section))
            .Validate(o => o.ChargeDelay >= TimeSpan.Zero, "Payments__SimulatedGateway__ChargeDelay must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<SimulatedPaymentGateway>();
        services.AddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        services.AddSingleton<PaymentService>();
        services.AddSingleton<PaymentProcessor>();
        services.AddOptions<PaymentOptions>().Bind(configuration.GetSection(PaymentOptions.Section))
            .Validate(o => o.ResendAfter > TimeSpan.Zero, "Payments__ResendAfter must be positive.")
            .Validate(o => o.ProcessingHold >= TimeSpan.FromSeconds(1) && o.ProcessingHold <= TimeSpan.FromDays(1), "Payments__ProcessingHold must be from 1 second to 1 day.")
            .ValidateOnStart();
        services.AddOptions<RefundOptions>().Bind(configuration.GetSection("Refunds")).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Refunds>();
        services.AddSingleton<RefundSweep>();
        services.AddSingleton<PendingPaymentResender>();
        return services;
    }
}
