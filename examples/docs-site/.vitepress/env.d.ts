// Stylesheets imported by the theme are bundled by Vite; they export nothing.
declare module "*.css";
