// The map's background when no tile server is configured: a plain grid drawn
// locally, so the map works offline and in tests (no tile requests at all).
import L from "leaflet";

class GridTiles extends L.GridLayer {
  protected override createTile(coords: L.Coords): HTMLElement {
    const tile = document.createElement("canvas");
    const size = this.getTileSize();
    tile.width = size.x;
    tile.height = size.y;
    const ctx = tile.getContext("2d");
    if (ctx) {
      ctx.fillStyle = "#eef1ec";
      ctx.fillRect(0, 0, size.x, size.y);
      ctx.strokeStyle = "#c9d1c4";
      ctx.strokeRect(0.5, 0.5, size.x - 1, size.y - 1);
      ctx.fillStyle = "#5f6b5a";
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(`${coords.z}/${coords.x}/${coords.y}`, 6, 16);
    }
    return tile;
  }
}

export function createGridLayer(): L.GridLayer {
  return new GridTiles({ attribution: "Plain grid: no map tiles configured (MAP_TILE_URL)" });
}
