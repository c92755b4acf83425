using Edge.Hub;

await using var app = HubApp.Build(args);
return await HubApp.RunAsync(app);
