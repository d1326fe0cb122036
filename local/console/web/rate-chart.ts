import type { DeliveryPeriod } from '../api-types';
import { s } from './dom';
import { clockTime, percent } from './format';

/**
 * An inline SVG line chart of the delivery rate per period (0 to 100 %). A period without
 * outcomes has no point and breaks the line, as a CloudWatch graph shows missing data.
 */
const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { left: 52, right: 14, top: 12, bottom: 34 };

export function rateChart(periods: readonly DeliveryPeriod[], description: string): SVGSVGElement {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const step = plotWidth / Math.max(periods.length, 1);
  const x = (index: number) => MARGIN.left + (index + 0.5) * step;
  const y = (rate: number) => MARGIN.top + (1 - rate) * plotHeight;

  const grid = [0, 0.5, 1].flatMap((rate) => [
    s('line', {
      class: rate === 0 ? 'axis' : 'grid',
      x1: MARGIN.left,
      x2: WIDTH - MARGIN.right,
      y1: y(rate),
      y2: y(rate),
    }),
    s('text', { x: MARGIN.left - 6, y: y(rate) + 4, 'text-anchor': 'end' }, `${rate * 100} %`),
  ]);

  const labelIndexes = [...new Set([0, Math.floor((periods.length - 1) / 2), periods.length - 1])].filter(
    (index) => index >= 0,
  );
  const timeLabels = labelIndexes.map((index) => {
    const period = periods[index];
    return period
      ? s(
          'text',
          {
            // The first and last labels align to the plot's edges so they are never cut off.
            x: index === 0 ? MARGIN.left : index === periods.length - 1 ? WIDTH - MARGIN.right : x(index),
            y: HEIGHT - 10,
            'text-anchor': index === 0 ? 'start' : index === periods.length - 1 ? 'end' : 'middle',
          },
          clockTime(period.start),
        )
      : null;
  });

  let path = '';
  let drawing = false;
  periods.forEach((period, index) => {
    if (period.rate === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${x(index).toFixed(1)} ${y(period.rate).toFixed(1)} `;
    drawing = true;
  });

  const points = periods.flatMap((period, index) => {
    if (period.rate === null) return [];
    const outcomes = period.delivered + period.undelivered + period.failed;
    return [
      s(
        'circle',
        { class: 'rate-point', cx: x(index), cy: y(period.rate), r: 4, 'data-start': period.start },
        s(
          'title',
          {},
          `${clockTime(period.start)}: ${percent(period.rate)} (${period.delivered} of ${outcomes} delivered)`,
        ),
      ),
    ];
  });

  return s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': description },
    ...grid,
    ...timeLabels,
    path ? s('path', { class: 'rate-line', d: path.trim() }) : null,
    ...points,
  );
}
