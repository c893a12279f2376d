using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TicketFunctions.Common;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Common;

public sealed class KeyVaultReferencesTests
{
    private const string Unresolved = "@Microsoft.KeyVault(SecretUri=https://kv-example.vault.azure.net/secrets/jwt-signing-key)";

    [Fact]
    public void The_app_refuses_to_start_with_a_Key_Vault_reference_left_unresolved_and_names_the_setting()
    {
        var settings = TestApp.DefaultSettings(Path.GetTempPath());
        settings["Jwt:SigningKey"] = Unresolved;
        settings["Admin:Password"] = Unresolved.Replace("jwt-signing-key", "admin-password", StringComparison.Ordinal);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddTicketFunctions(configuration));

        Assert.Contains("Admin__Password, Jwt__SigningKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kv-example", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolved_secrets_and_ordinary_values_pass()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = "a-resolved-secret-of-more-than-thirty-two-bytes",
            ["Note"] = "mentions @Microsoft.KeyVault( in the middle, which App Service would not leave",
            ["Empty"] = null,
        }).Build();

        Assert.Null(Record.Exception(() => KeyVaultReferences.ThrowIfUnresolved(configuration)));
    }
}
