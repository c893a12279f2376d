using TicketFunctions.Catalog;
using TicketFunctions.Tests.Support;

namespace TicketFunctions.Tests.Catalog;

public sealed class MovieFunctionsTests
{
    [Fact]
    public async Task Creating_a_movie_as_admin_answers_201_with_location_and_trimmed_fields()
    {
        await using var app = await TestApp.StartAsync();
        var body = new { title = "  Dune  ", description = "Sand.\nMore sand.", genre = "Sci-Fi", durationMinutes = 155, rating = "PG-13", releaseDate = "2021-10-22" };

        var created = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Create), app.Request("POST", "/api/movies", body, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(201, created.Status);
        var id = created.Json.GetProperty("id").GetInt64();
        Assert.Equal($"/api/movies/{id}", created.Headers.Location.ToString());
        Assert.Equal("Dune", created.Json.GetProperty("title").GetString());
        Assert.Equal("2021-10-22", created.Json.GetProperty("releaseDate").GetString());
        Assert.Equal(155, created.Json.GetProperty("durationMinutes").GetInt32());
        Assert.Equal("Dune", await app.DbScalar<string>("SELECT title FROM movies WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Creating_a_movie_without_a_token_answers_401_and_writes_nothing()
    {
        await using var app = await TestApp.StartAsync();

        var answer = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Create), app.Request("POST", "/api/movies", TestApp.MovieBody()), (f, r) => f.Create(r));

        Assert.Equal(401, answer.Status);
        Assert.True(answer.IsProblem);
        Assert.StartsWith("Bearer", answer.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }

    [Fact]
    public async Task Creating_a_movie_as_a_user_answers_403()
    {
        await using var app = await TestApp.StartAsync();
        var (token, _) = await app.RegisterAndLogin();

        var answer = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Create), app.Request("POST", "/api/movies", TestApp.MovieBody(), token), (f, r) => f.Create(r));

        Assert.Equal(403, answer.Status);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }

    [Theory]
    [InlineData("title", """{"title":"","genre":"Drama","durationMinutes":90,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("title", """{"title":"   ","genre":"Drama","durationMinutes":90,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("title", """{"title":"Bad\u0007Bell","genre":"Drama","durationMinutes":90,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("genre", """{"title":"T","genre":"","durationMinutes":90,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("durationMinutes", """{"title":"T","genre":"Drama","durationMinutes":0,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("durationMinutes", """{"title":"T","genre":"Drama","durationMinutes":601,"rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("rating", """{"title":"T","genre":"Drama","durationMinutes":90,"rating":"ABCDEFGHIJK","releaseDate":"2020-01-01"}""")]
    [InlineData("releaseDate", """{"title":"T","genre":"Drama","durationMinutes":90,"rating":"R","releaseDate":"01/02/2020"}""")]
    [InlineData("durationMinutes", """{"title":"T","genre":"Drama","durationMinutes":"90","rating":"R","releaseDate":"2020-01-01"}""")]
    [InlineData("id", """{"id":5,"title":"T","genre":"Drama","durationMinutes":90,"rating":"R","releaseDate":"2020-01-01"}""")]
    public async Task Creating_a_movie_with_an_invalid_field_answers_400_naming_the_field(string field, string json)
    {
        await using var app = await TestApp.StartAsync();

        var answer = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Create), app.Request("POST", "/api/movies", json, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.IsProblem);
        var errors = answer.Json.GetProperty("errors");
        Assert.True(errors.EnumerateObject().Any(e => e.Name.Contains(field, StringComparison.OrdinalIgnoreCase)), answer.Body);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }

    [Fact]
    public async Task Creating_a_movie_with_a_too_long_description_answers_400()
    {
        await using var app = await TestApp.StartAsync();
        var body = new { title = "T", description = new string('x', 4001), genre = "Drama", durationMinutes = 90, rating = "R", releaseDate = "2020-01-01" };

        var answer = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Create), app.Request("POST", "/api/movies", body, await app.AdminToken()), (f, r) => f.Create(r));

        Assert.Equal(400, answer.Status);
        Assert.True(answer.Json.GetProperty("errors").TryGetProperty("description", out _));
    }

    [Fact]
    public async Task Getting_a_movie_answers_200_and_an_unknown_id_404()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateMovie("Alien");
        var movies = app.Function<MovieFunctions>();

        var found = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Get), app.Request("GET", $"/api/movies/{id}"), (f, r) => f.Get(r, id));
        var missing = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Get), app.Request("GET", "/api/movies/999"), (f, r) => f.Get(r, 999));
        var negative = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Get), app.Request("GET", "/api/movies/-1"), (f, r) => f.Get(r, -1));

        Assert.Equal(200, found.Status);
        Assert.Equal("Alien", found.Json.GetProperty("title").GetString());
        Assert.Equal("A film.", found.Json.GetProperty("description").GetString());
        Assert.Equal(404, missing.Status);
        Assert.True(missing.IsProblem);
        Assert.Equal(404, negative.Status);
    }

    [Fact]
    public async Task Listing_movies_searches_titles_ignoring_case_and_treats_wildcards_literally()
    {
        await using var app = await TestApp.StartAsync();
        await app.CreateMovie("The Matrix");
        await app.CreateMovie("Matrix Reloaded");
        await app.CreateMovie("100% Wolf");
        await app.CreateMovie("Under_score");
        await app.CreateMovie("Underscore");
        var movies = app.Function<MovieFunctions>();

        async Task<string[]> Titles(string query)
        {
            var page = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.List), app.Request("GET", "/api/movies", query: query), (f, r) => f.List(r));
            Assert.Equal(200, page.Status);
            return [.. page.Json.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("title").GetString()!)];
        }

        Assert.Equal(["Matrix Reloaded", "The Matrix"], await Titles("search=MATRIX"));
        Assert.Equal(["100% Wolf"], await Titles("search=%25"));
        Assert.Equal(["Under_score"], await Titles("search=_"));
        Assert.Empty(await Titles("search=nothing"));
    }

    [Fact]
    public async Task Listing_movies_filters_by_genre_ignoring_case_and_pages()
    {
        await using var app = await TestApp.StartAsync();
        await app.CreateMovie("A", "Horror");
        await app.CreateMovie("B", "horror");
        await app.CreateMovie("C", "Comedy");
        await app.CreateMovie("D", "Horror Comedy");
        var movies = app.Function<MovieFunctions>();

        var page = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.List), app.Request("GET", "/api/movies", query: "genre=HORROR&page=2&pageSize=1"), (f, r) => f.List(r));

        Assert.Equal(200, page.Status);
        Assert.Equal(2, page.Json.GetProperty("totalCount").GetInt64());
        Assert.Equal(2, page.Json.GetProperty("page").GetInt32());
        Assert.Equal(1, page.Json.GetProperty("pageSize").GetInt32());
        Assert.Equal("B", page.Json.GetProperty("items")[0].GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=101")]
    [InlineData("page=0")]
    [InlineData("page=x")]
    public async Task Listing_movies_with_bad_paging_answers_400(string query)
    {
        await using var app = await TestApp.StartAsync();

        var page = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.List), app.Request("GET", "/api/movies", query: query), (f, r) => f.List(r));

        Assert.Equal(400, page.Status);
        Assert.True(page.IsProblem);
    }

    [Fact]
    public async Task Updating_a_movie_answers_200_and_stores_the_change()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateMovie("Old");

        var updated = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Update), app.Request("PUT", $"/api/movies/{id}", TestApp.MovieBody("New", "Comedy", 95), await app.AdminToken()), (f, r) => f.Update(r, id));

        Assert.Equal(200, updated.Status);
        Assert.Equal("New", updated.Json.GetProperty("title").GetString());
        Assert.Equal(95L, await app.DbScalar<long>("SELECT duration_minutes FROM movies WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Updating_a_movie_answers_401_403_404_and_400_as_the_contract_says()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateMovie("Old");
        var (user, _) = await app.RegisterAndLogin();
        var admin = await app.AdminToken();
        var movies = app.Function<MovieFunctions>();

        var anonymous = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Update), app.Request("PUT", $"/api/movies/{id}", TestApp.MovieBody()), (f, r) => f.Update(r, id));
        var asUser = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Update), app.Request("PUT", $"/api/movies/{id}", TestApp.MovieBody(), user), (f, r) => f.Update(r, id));
        var unknown = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Update), app.Request("PUT", "/api/movies/999", TestApp.MovieBody(), admin), (f, r) => f.Update(r, 999));
        var invalid = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Update), app.Request("PUT", $"/api/movies/{id}", TestApp.MovieBody(durationMinutes: 0), admin), (f, r) => f.Update(r, id));

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(403, asUser.Status);
        Assert.Equal(404, unknown.Status);
        Assert.Equal(400, invalid.Status);
        Assert.Equal("Old", await app.DbScalar<string>("SELECT title FROM movies WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Deleting_a_movie_answers_204_then_404()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateMovie();
        var admin = await app.AdminToken();
        var movies = app.Function<MovieFunctions>();

        var deleted = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Delete), app.Request("DELETE", $"/api/movies/{id}", token: admin), (f, r) => f.Delete(r, id));
        var again = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Delete), app.Request("DELETE", $"/api/movies/{id}", token: admin), (f, r) => f.Delete(r, id));

        Assert.Equal(204, deleted.Status);
        Assert.Equal(404, again.Status);
        Assert.Equal(0, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }

    [Fact]
    public async Task Deleting_a_movie_with_showtimes_answers_409_and_keeps_it()
    {
        await using var app = await TestApp.StartAsync();
        var movie = await app.CreateMovie();
        await app.CreateShowtime(movie, await app.CreateTheatre());

        var answer = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Delete), app.Request("DELETE", $"/api/movies/{movie}", token: await app.AdminToken()), (f, r) => f.Delete(r, movie));

        Assert.Equal(409, answer.Status);
        Assert.Equal("movie_has_showtimes", answer.Json.GetProperty("code").GetString());
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }

    [Fact]
    public async Task Deleting_a_movie_answers_401_without_a_token_and_403_for_a_user()
    {
        await using var app = await TestApp.StartAsync();
        var id = await app.CreateMovie();
        var (user, _) = await app.RegisterAndLogin();
        var movies = app.Function<MovieFunctions>();

        var anonymous = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Delete), app.Request("DELETE", $"/api/movies/{id}"), (f, r) => f.Delete(r, id));
        var asUser = await app.Invoke<MovieFunctions>(nameof(MovieFunctions.Delete), app.Request("DELETE", $"/api/movies/{id}", token: user), (f, r) => f.Delete(r, id));

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(403, asUser.Status);
        Assert.Equal(1, await app.DbScalar<long>("SELECT count(*) FROM movies"));
    }
}
