using TicketFunctions.Catalog;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Catalog;

public sealed class TheatreFunctionsTests
{
    private static object Body(int seatRows = 5, int seatsPerRow = 10, string name = "Hall 1", string city = "Lisbon")
        => new { name, city, address = "1 Main Street", seatRows, seatsPerRow };

    [Fact]
    public async Task Creating_a_theatre_answers_201_with_its_capacity()
    {
        await using var app = await TestApp.StartAsync();

        var created = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Create), app.Request("POST", "/api/theatres", Body(26, 50), await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(201, created.Status);
        var id = created.Json.GetProperty("id").GetInt64();
        Assert.Equal($"/api/theatres/{id}", created.Headers.Location.ToString());
        Assert.Equal(1300, created.Json.GetProperty("capacity").GetInt32());
        Assert.Equal(26, created.Json.GetProperty("seatRows").GetInt32());
    }

    [Theory]
    [InlineData("seatRows", 0, 10)]
    [InlineData("seatRows", 27, 10)]
    [InlineData("seatsPerRow", 5, 0)]
    [InlineData("seatsPerRow", 5, 51)]
    public async Task Creating_a_theatre_with_a_layout_out_of_range_answers_400(string field, int seatRows, int seatsPerRow)
    {
        await using var app = await TestApp.StartAsync();

        var answer = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Create), app.Request("POST", "/api/theatres", Body(seatRows, seatsPerRow), await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty(field, out _), answer.Body);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM theatres"));
    }

    [Theory]
    [InlineData("name", "")]
    [InlineData("city", "   ")]
    [InlineData("address", "Line\u0000Two")]
    public async Task Creating_a_theatre_with_bad_text_answers_400(string field, string value)
    {
        await using var app = await TestApp.StartAsync();
        var body = new Dictionary<string, object> { ["name"] = "Hall", ["city"] = "Porto", ["address"] = "Street 1", ["seatRows"] = 5, ["seatsPerRow"] = 5 };
        body[field] = value;

        var answer = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Create), app.Request("POST", "/api/theatres", body, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty(field, out _), answer.Body);
    }

    [Fact]
    public async Task Creating_a_theatre_answers_401_without_a_token_and_403_for_a_user()
    {
        await using var app = await TestApp.StartAsync();
        var (user, _) = await app.RegisterAndLogin();
        var theatres = app.Function<TheatreFunctions>();

        var anonymous = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Create), app.Request("POST", "/api/theatres", Body()), (f, r) => f.Create(r));
        var asUser = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Create), app.Request("POST", "/api/theatres", Body(), user), (f, r) => f.Create(r));

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(403, asUser.Status);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM theatres"));
    }

    [Fact]
    public async Task Getting_a_theatre_answers_200_and_an_unknown_id_404()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateTheatre(3, 4, "Small");
        var theatres = app.Function<TheatreFunctions>();

        var found = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Get), app.Request("GET", $"/api/theatres/{id}"), (f, r) => f.Get(r, id));
        var missing = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Get), app.Request("GET", "/api/theatres/42"), (f, r) => f.Get(r, 42));

        Assert.Equal(200, found.Status);
        Assert.Equal("Small", found.Json.GetProperty("name").GetString());
        Assert.Equal(12, found.Json.GetProperty("capacity").GetInt32());
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task Listing_theatres_filters_by_city_ignoring_case()
    {
        await using var app = await TestApp.StartAsync();
        await app.CreateTheatre(name: "B", city: "Porto");
        await app.CreateTheatre(name: "A", city: "porto");
        await app.CreateTheatre(name: "C", city: "Lisbon");

        var page = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.List), app.Request("GET", "/api/theatres", query: "city=PORTO"), (f, r) => f.List(r));

        Assert.Equal(200, page.Status);
        Assert.Equal(2, page.Json.GetProperty("totalCount").GetInt64());
        Assert.Equal(["A", "B"], page.Json.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("city=Lisbon&city=Porto")]
    public async Task Listing_theatres_with_a_bad_query_answers_400(string query)
    {
        await using var app = await TestApp.StartAsync();

        var page = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.List), app.Request("GET", "/api/theatres", query: query), (f, r) => f.List(r));

        Assert.Equal(400, page.Status);
        Assert.True(page.IsProblem);
    }

    [Fact]
    public async Task Changing_the_layout_of_a_theatre_with_showtimes_answers_409_and_changes_nothing()
    {
        await using var app = await TestApp.StartAsync();
        var theatre = await app.CreateTheatre(5, 10);
        await app.CreateShowtime(await app.CreateMovie(), theatre);

        var answer = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{theatre}", Body(6, 10, "Renamed"), await app.AdminToken()), (f, r) => f.Update(r, theatre));

        Assert.Equal(409, answer.Status);
        Assert.Equal("theatre_has_showtimes", answer.Json.GetProperty("code").GetString());
        Assert.Equal("Hall 1", await app.DbScalar<string>("SELECT name FROM theatres WHERE id = @theatre", new { theatre }));
        Assert.Equal(5L, await app.DbScalar<long>("SELECT seat_rows FROM theatres WHERE id = @theatre", new { theatre }));
    }

    [Fact]
    public async Task Renaming_a_theatre_with_showtimes_is_allowed_and_a_layout_change_without_them_too()
    {
        await using var app = await TestApp.StartAsync();
        var busy = await app.CreateTheatre(5, 10);
        var empty = await app.CreateTheatre(5, 10, "Empty");
        await app.CreateShowtime(await app.CreateMovie(), busy);
        var admin = await app.AdminToken();
        var theatres = app.Function<TheatreFunctions>();

        var renamed = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{busy}", Body(5, 10, "Renamed"), admin), (f, r) => f.Update(r, busy));
        var resized = await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{empty}", Body(8, 12, "Empty"), admin), (f, r) => f.Update(r, empty));

        Assert.Equal(200, renamed.Status);
        Assert.Equal("Renamed", renamed.Json.GetProperty("name").GetString());
        Assert.Equal(200, resized.Status);
        Assert.Equal(96, resized.Json.GetProperty("capacity").GetInt32());
    }

    [Fact]
    public async Task Updating_a_theatre_answers_401_403_404_and_400_as_the_contract_says()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateTheatre();
        var (user, _) = await app.RegisterAndLogin();
        var admin = await app.AdminToken();
        var theatres = app.Function<TheatreFunctions>();

        Assert.Equal(401, (await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{id}", Body()), (f, r) => f.Update(r, id))).Status);
        Assert.Equal(403, (await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{id}", Body(), user), (f, r) => f.Update(r, id))).Status);
        Assert.Equal(404, (await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", "/api/theatres/77", Body(), admin), (f, r) => f.Update(r, 77))).Status);
        Assert.Equal(400, (await app.Invoke<TheatreFunctions>(nameof(TheatreFunctions.Update), app.Request("PUT", $"/api/theatres/{id}", Body(seatRows: 0), admin), (f, r) => f.Update(r, id))).Status);
    }
}
