<h1>Hello <%= name %></h1>
