using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace TicketFunctions.Auth;

/// <summary>
/// The client address that failed logins are counted by. In the worker it is <c>HttpContext.Connection.RemoteIpAddress</c>,
/// which the ASP.NET Core integration's forwarded-headers middleware takes from the <c>X-Forwarded-For</c> that the
/// Functions host writes on the request it forwards: the host's YARP forwarder replaces whatever the client sent with
/// the address of the connection the host received (azure-functions-host DefaultHttpProxyService.cs, YARP's default
/// transforms; azure-functions-dotnet-worker FunctionsHostBuilderExtensions.cs trusts it from loopback only), so a
/// value a client writes itself never reaches the app. IPv6 addresses count per /64, the block one subscriber gets.
/// </summary>
public static class ClientAddress
{
    /// <summary>The key of an email's count from every address together.</summary>
    public const string Anywhere = "*";

    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Key(context.Connection.RemoteIpAddress);
    }

    public static string Key(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
