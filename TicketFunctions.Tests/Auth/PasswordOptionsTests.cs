using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TicketFunctions.Auth;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Auth;

/// <summary>
/// The test suite hashes with few iterations (Passwords:Iterations in TestApp's settings) to save its time; production
/// keeps OWASP's 210,000 and refuses fewer at start.
/// </summary>
public sealed class PasswordOptionsTests
{
    [Fact]
    public void Without_the_setting_passwords_are_hashed_with_210000_iterations()
    {
        var options = Resolve([], Environments.Production);

        Assert.Equal(210_000, IterationsOf(new Passwords(options).Hash("Password-123")));
    }

    [Fact]
    public void A_count_below_210000_stops_the_app_at_start_outside_Development()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new Dictionary<string, string?> { ["Passwords:Iterations"] = "1000" }, Environments.Production).Value);

        Assert.Contains("Passwords__Iterations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_test_app_hashes_with_its_configured_count_and_still_verifies_production_hashes()
    {
        await using var app = await TestApp.StartAsync();
        var passwords = app.Get<Passwords>();
        var production = new Passwords(Options.Create(new PasswordOptions())).Hash("Password-123");

        Assert.Equal(TestApp.PasswordIterations, IterationsOf(passwords.Hash("Password-123")));
        Assert.Equal(PasswordCheck.Success, passwords.Verify(production, "Password-123"));
    }

    private static int IterationsOf(string hash)
        => (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Convert.FromBase64String(hash).AsSpan(5));

    private static IOptions<PasswordOptions> Resolve(Dictionary<string, string?> settings, string environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Environment(environment));
        services.AddAuth(configuration);
        return services.BuildServiceProvider().GetRequiredService<IOptions<PasswordOptions>>();
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "TicketFunctions";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
