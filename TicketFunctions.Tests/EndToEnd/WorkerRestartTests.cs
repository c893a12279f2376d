using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FunctionsLocalHost.Tests.Support;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.EndToEnd;

/// <summary>
/// The app's worker process killed (SIGKILL) while the host runs: the host starts a new worker, as the Functions host
/// does (azure-functions-host src/WebJobs.Script/Workers/Rpc/FunctionRegistration/RpcFunctionInvocationDispatcher.cs,
/// DisposeAndRestartWorkerChannel), and the app answers again on the same address with what it had stored.
/// </summary>
public sealed class WorkerRestartTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task After_its_worker_is_killed_the_host_restarts_it_and_health_answers_200_again()
    {
        await using var app = await LocalHostApp.StartAsync(azurite);
        var (_, userId) = await app.RegisterAndLogin("restart@example.com");
        var killed = app.WorkerProcessId;

        app.KillWorker();

        // Once the host has seen the exit, requests wait for the new worker instead of failing.
        await Eventually.True(() => Task.FromResult(app.Log.Contains($"Language Worker Process exited. Pid={killed}.")), "the host sees the worker exit");
        using var health = await app.Get("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.NotEqual(killed, app.WorkerProcessId);
        Assert.False(Directory.Exists($"/proc/{killed}"), "the killed worker is gone");
        // The new worker serves what the old one stored: the user registered before the kill logs in.
        var (token, sameUser) = await app.Login("restart@example.com", "Password-123");
        Assert.Equal(userId, sameUser);
        using var me = await app.Get("api/auth/me", token);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }
}
